// Batched row-major matmul through oneDNN's sgemm (deterministic for a fixed thread count).
#include "common.h"

namespace fedssd {

void batchMatMul(int64_t batch, int64_t m, int64_t n, int64_t k, bool transA, bool transB,
                 const float* a, int64_t strideA, const float* b, int64_t strideB, float* c) {
  const int64_t lda = transA ? m : k;
  const int64_t ldb = transB ? k : n;
  for (int64_t i = 0; i < batch; ++i) {
    dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.f, a + i * strideA, lda, b + i * strideB, ldb, 0.f,
               c + i * m * n, n);
  }
}

}  // namespace fedssd
