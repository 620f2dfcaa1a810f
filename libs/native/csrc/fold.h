// Aggregation kernels of the fedssd_fold addon (separate from the oneDNN addon: plain C++, no
// oneDNN, optional ISA-L). See fold.cc and crc32.cc.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fedssd_fold {

// Most float32 updates folded per pass (libs/fedavg's FOLD_GROUP_MAX).
constexpr int kFoldMax = 4;

// sum[j] = (((sum[j] + v[0][j]*w[0]) + v[1][j]*w[1]) + ...) for k = 1..kFoldMax inputs: the
// float64 operations, in the order, of libs/fedavg's JS kernel, so the sums are bitwise equal.
void foldGroup(double* sum, const float* const* values, const double* weights, int k, size_t n);

// "avx2" or "sse2": which foldGroup loop runs (AVX2 when the CPU has it).
const char* foldIsa();

// Selects the loop ("sse2" always works, "avx2" only on CPUs with it), so tests can check both.
bool useFoldIsa(const char* isa);

// True when built with ISA-L (crc32 below is then available).
bool haveFastCrc32();

// CRC-32 (IEEE 802.3, reflected 0xEDB88320) continuing from `init` as zlib's crc32(init, p, n).
uint32_t crc32(uint32_t init, const uint8_t* bytes, size_t n);

}  // namespace fedssd_fold
