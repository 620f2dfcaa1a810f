// Training-mode batch norm over the last axis (the FedssdBatchNormTrain kernels of @fedssd/ssl):
// batch statistics, normalise, optional ReLU, and the full gradient through the statistics.
// Sums are per channel in double, rows in order, single-threaded: reproducible bit for bit.
#include "common.h"
#include <cmath>
#include <vector>

namespace fedssd {

// mean = sum(x) / rows; var = sum((x - mean)^2) / rows (biased, two passes for accuracy);
// y = (x - mean) * (scale / sqrt(var + eps)) + offset, then max(y, 0) if relu. The normalise
// step is written like batchNormForward so both paths round the same way.
void batchNormTrainForward(int64_t rows, int64_t c, const float* x, const float* scale, const float* offset, float eps,
                           bool relu, float* y, float* mean, float* var) {
  std::vector<double> acc(c, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    for (int64_t ch = 0; ch < c; ++ch) acc[ch] += in[ch];
  }
  for (int64_t ch = 0; ch < c; ++ch) {
    mean[ch] = static_cast<float>(acc[ch] / static_cast<double>(rows));
    acc[ch] = 0.0;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    for (int64_t ch = 0; ch < c; ++ch) {
      const double d = static_cast<double>(in[ch]) - mean[ch];
      acc[ch] += d * d;
    }
  }
  std::vector<float> mul(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    var[ch] = static_cast<float>(acc[ch] / static_cast<double>(rows));
    mul[ch] = scale[ch] * (1.f / std::sqrt(var[ch] + eps));
  }
#pragma omp parallel for schedule(static) if (rows * c > parallelMinElements())
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    float* out = y + r * c;
    for (int64_t ch = 0; ch < c; ++ch) {
      const float v = (in[ch] - mean[ch]) * mul[ch] + offset[ch];
      out[ch] = relu ? (v > 0.f ? v : 0.f) : v;
    }
  }
}

// With g = dy masked by y > 0 (relu) and r = 1 / sqrt(var + eps):
//   doffset = sum(g), dscale = r * sum(g * (x - mean)),
//   dx = scale * r * (g - doffset / rows - (x - mean) * r * dscale / rows).
// Pass 1 reads dy, x (and y); pass 2 reads them again and writes dx.
void batchNormTrainGrad(int64_t rows, int64_t c, const float* dy, const float* x, const float* mean, const float* var,
                        const float* scale, const float* y, float eps, float* dx, float* dscale, float* doffset) {
  std::vector<double> sumG(c, 0.0), sumGXm(c, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    const float* dyr = dy + r * c;
    const float* yr = y ? y + r * c : nullptr;
    for (int64_t ch = 0; ch < c; ++ch) {
      const float g = (yr && !(yr[ch] > 0.f)) ? 0.f : dyr[ch];
      sumG[ch] += g;
      sumGXm[ch] += static_cast<double>(g) * (static_cast<double>(xr[ch]) - mean[ch]);
    }
  }
  std::vector<float> a(c), b(c), k(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    const double inv = 1.0 / std::sqrt(static_cast<double>(var[ch]) + eps);
    const double ds = sumGXm[ch] * inv;
    doffset[ch] = static_cast<float>(sumG[ch]);
    dscale[ch] = static_cast<float>(ds);
    const double sr = scale[ch] * inv;
    a[ch] = static_cast<float>(sr);                                             // multiplies g
    b[ch] = static_cast<float>(sr * inv * ds / static_cast<double>(rows));      // multiplies (x - mean)
    k[ch] = static_cast<float>(sr * sumG[ch] / static_cast<double>(rows));      // constant
  }
#pragma omp parallel for schedule(static) if (rows * c > parallelMinElements())
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    const float* dyr = dy + r * c;
    const float* yr = y ? y + r * c : nullptr;
    float* out = dx + r * c;
    for (int64_t ch = 0; ch < c; ++ch) {
      const float g = (yr && !(yr[ch] > 0.f)) ? 0.f : dyr[ch];
      out[ch] = a[ch] * g - b[ch] * (xr[ch] - mean[ch]) - k[ch];
    }
  }
}

}  // namespace fedssd
