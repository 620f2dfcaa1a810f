// Inference-style batch norm over the last axis with given statistics (TF.js FusedBatchNorm):
// y = offset + (x - mean) * scale / sqrt(var + eps), with scale / sqrt(var + eps) hoisted per channel.
#include "common.h"
#include <cmath>
#include <vector>

namespace fedssd {

void batchNormForward(int64_t rows, int64_t c, const float* x, const float* mean, int64_t meanLen,
                      const float* var, int64_t varLen, const float* offset, int64_t offsetLen,
                      const float* scale, int64_t scaleLen, float eps, float* y) {
  std::vector<float> mul(c), sub(c), add(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    const float s = scale ? scale[scaleLen == 1 ? 0 : ch] : 1.f;
    const float o = offset ? offset[offsetLen == 1 ? 0 : ch] : 0.f;
    const float inv = 1.f / std::sqrt(var[varLen == 1 ? 0 : ch] + eps);
    mul[ch] = s * inv;
    sub[ch] = mean[meanLen == 1 ? 0 : ch];
    add[ch] = o;
  }
#pragma omp parallel for schedule(static) if (rows * c > parallelMinElements())
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    float* out = y + r * c;
    for (int64_t ch = 0; ch < c; ++ch) out[ch] = (in[ch] - sub[ch]) * mul[ch] + add[ch];
  }
}

}  // namespace fedssd
