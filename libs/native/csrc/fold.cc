// The FedAvg fold in SIMD. Built with -ffp-contract=off and without -ffast-math: every product
// and sum below is one IEEE float64 operation, rounded as JS rounds it, in the JS kernel's order
// (no fused multiply-add, no reassociation). Only independent elements j share a vector.
#include "fold.h"
#include <immintrin.h>
#include <string>

namespace fedssd_fold {
namespace {

template <int K>
void scalarTail(double* sum, const float* const* v, const double* w, size_t from, size_t n) {
  for (size_t j = from; j < n; ++j) {
    double s = sum[j];
    for (int k = 0; k < K; ++k) s = s + static_cast<double>(v[k][j]) * w[k];
    sum[j] = s;
  }
}

// SSE2 is part of x86-64: this loop runs everywhere. Two float64 lanes per vector.
template <int K>
void foldSse2(double* sum, const float* const* v, const double* w, size_t n) {
  __m128d wk[K];
  for (int k = 0; k < K; ++k) wk[k] = _mm_set1_pd(w[k]);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    __m128d s0 = _mm_loadu_pd(sum + j);
    __m128d s1 = _mm_loadu_pd(sum + j + 2);
    for (int k = 0; k < K; ++k) {
      __m128 x = _mm_loadu_ps(v[k] + j);
      s0 = _mm_add_pd(s0, _mm_mul_pd(_mm_cvtps_pd(x), wk[k]));
      s1 = _mm_add_pd(s1, _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(x, x)), wk[k]));
    }
    _mm_storeu_pd(sum + j, s0);
    _mm_storeu_pd(sum + j + 2, s1);
  }
  scalarTail<K>(sum, v, w, j, n);
}

// AVX2 (4 float64 lanes), compiled for AVX2 only here and chosen at run time, so the addon
// still loads on CPUs without it. The target has no "fma": nothing can be fused even by mistake.
template <int K>
__attribute__((target("avx2"))) void foldAvx2(double* sum, const float* const* v, const double* w, size_t n) {
  __m256d wk[K];
  for (int k = 0; k < K; ++k) wk[k] = _mm256_set1_pd(w[k]);
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256d s0 = _mm256_loadu_pd(sum + j);
    __m256d s1 = _mm256_loadu_pd(sum + j + 4);
    for (int k = 0; k < K; ++k) {
      s0 = _mm256_add_pd(s0, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(v[k] + j)), wk[k]));
      s1 = _mm256_add_pd(s1, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(v[k] + j + 4)), wk[k]));
    }
    _mm256_storeu_pd(sum + j, s0);
    _mm256_storeu_pd(sum + j + 4, s1);
  }
  scalarTail<K>(sum, v, w, j, n);
}

using FoldFn = void (*)(double*, const float* const*, const double*, size_t);

struct Table {
  FoldFn fn[kFoldMax];
  const char* isa;
};

const Table kAvx2 = {{foldAvx2<1>, foldAvx2<2>, foldAvx2<3>, foldAvx2<4>}, "avx2"};
const Table kSse2 = {{foldSse2<1>, foldSse2<2>, foldSse2<3>, foldSse2<4>}, "sse2"};

bool cpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

const Table*& table() {
  static const Table* t = cpuHasAvx2() ? &kAvx2 : &kSse2;
  return t;
}

}  // namespace

bool useFoldIsa(const char* isa) {
  std::string name(isa);
  if (name == "sse2") table() = &kSse2;
  else if (name == "avx2" && cpuHasAvx2()) table() = &kAvx2;
  else return false;
  return true;
}

void foldGroup(double* sum, const float* const* values, const double* weights, int k, size_t n) {
  table()->fn[k - 1](sum, values, weights, n);
}

const char* foldIsa() { return table()->isa; }

}  // namespace fedssd_fold
