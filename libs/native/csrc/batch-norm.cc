// Inference-style batch norm over the last axis with given statistics (TF.js FusedBatchNorm):
// y = offset + (x - mean) * scale / sqrt(var + eps), with scale / sqrt(var + eps) hoisted per channel.
#include "common.h"
#include "parallel.h"
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
  forRanges(rows, grainFor(c), c, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* in = x + r * c;
      float* out = y + r * c;
      for (int64_t ch = 0; ch < c; ++ch) out[ch] = (in[ch] - sub[ch]) * mul[ch] + add[ch];
    }
  });
}

}  // namespace fedssd

namespace fedssd {

// Gradient of y = (x - mean) * scale * r + offset, r = 1/sqrt(var + eps), with mean and var
// as inputs (TF.js feeds them from tf.moments, whose own gradients take dmean and dvar on):
//   dx = dy * scale * r,  dmean = -sum(dy) * scale * r,
//   dvar = -0.5 * sum(dy * (x - mean)) * scale * r^3,  dscale = sum(dy * (x - mean)) * r.
// One pass over x and dy; per-channel sums in double, rows in order.
void batchNormGrad(int64_t rows, int64_t c, const float* x, const float* dy, const float* mean, const float* var,
                   const float* scale, float eps, float* dx, float* dmean, float* dvar, float* dscale) {
  std::vector<float> r(c), sr(c);
  std::vector<double> sumDy(c, 0.0), sumDyXm(c, 0.0);
  for (int64_t ch = 0; ch < c; ++ch) {
    r[ch] = 1.f / std::sqrt(var[ch] + eps);
    sr[ch] = (scale ? scale[ch] : 1.f) * r[ch];
  }
  for (int64_t row = 0; row < rows; ++row) {
    const float* xr = x + row * c;
    const float* dyr = dy + row * c;
    float* dxr = dx + row * c;
    for (int64_t ch = 0; ch < c; ++ch) {
      const float d = dyr[ch];
      sumDy[ch] += d;
      sumDyXm[ch] += d * (xr[ch] - mean[ch]);
      dxr[ch] = d * sr[ch];
    }
  }
  for (int64_t ch = 0; ch < c; ++ch) {
    const double s = scale ? scale[ch] : 1.0;
    const double rr = r[ch];
    dmean[ch] = static_cast<float>(-sumDy[ch] * s * rr);
    dvar[ch] = static_cast<float>(-0.5 * sumDyXm[ch] * s * rr * rr * rr);
    dscale[ch] = static_cast<float>(sumDyXm[ch] * rr);
  }
}

}  // namespace fedssd
