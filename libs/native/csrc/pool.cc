// 2-D max pooling on NHWC buffers, plain C++ (memory-bound, so oneDNN would add no speed
// but would need its forward workspace in the backward pass). Ties go to the first maximum
// in row-major window order, the same position TF.js's cpu kernel picks.
#include "common.h"
#include "parallel.h"
#include <limits>
#include <vector>

namespace fedssd {

void maxPoolForward(const PoolGeom& g, const float* x, float* y) {
  // One output row per task (each writes only its own row).
  forTasks(g.n * g.oh, worthSpreading(g.n * g.ih * g.iw * g.c), [&](int64_t row) {
    const int64_t b = row / g.oh, r = row % g.oh;
    const float* img = x + b * g.ih * g.iw * g.c;
    for (int64_t col = 0; col < g.ow; ++col) {
      float* out = y + ((b * g.oh + r) * g.ow + col) * g.c;
      for (int64_t ch = 0; ch < g.c; ++ch) out[ch] = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < g.kh; ++i) {
        const int64_t xr = r * g.sh - g.pt + i;
        if (xr < 0 || xr >= g.ih) continue;
        for (int64_t j = 0; j < g.kw; ++j) {
          const int64_t xc = col * g.sw - g.pl + j;
          if (xc < 0 || xc >= g.iw) continue;
          const float* in = img + (xr * g.iw + xc) * g.c;
          for (int64_t ch = 0; ch < g.c; ++ch) out[ch] = in[ch] > out[ch] ? in[ch] : out[ch];
        }
      }
    }
  });
}

void maxPoolBackward(const PoolGeom& g, const float* x, const float* dy, float* dx) {
  const int64_t imgSize = g.ih * g.iw * g.c;
  // Parallel over images: windows of one image may overlap, so one thread owns each image.
  forTasks(g.n, worthSpreading(g.n * g.ih * g.iw * g.c), [&](int64_t b) {
    const float* img = x + b * imgSize;
    float* dimg = dx + b * imgSize;
    for (int64_t k = 0; k < imgSize; ++k) dimg[k] = 0.f;
    std::vector<float> best(g.c);
    std::vector<int64_t> where(g.c);
    for (int64_t r = 0; r < g.oh; ++r) {
      for (int64_t col = 0; col < g.ow; ++col) {
        for (int64_t ch = 0; ch < g.c; ++ch) {
          best[ch] = -std::numeric_limits<float>::infinity();
          where[ch] = -1;
        }
        for (int64_t i = 0; i < g.kh; ++i) {
          const int64_t xr = r * g.sh - g.pt + i;
          if (xr < 0 || xr >= g.ih) continue;
          for (int64_t j = 0; j < g.kw; ++j) {
            const int64_t xc = col * g.sw - g.pl + j;
            if (xc < 0 || xc >= g.iw) continue;
            const int64_t base = (xr * g.iw + xc) * g.c;
            for (int64_t ch = 0; ch < g.c; ++ch) {
              if (img[base + ch] > best[ch] || where[ch] < 0) {
                best[ch] = img[base + ch];
                where[ch] = base + ch;
              }
            }
          }
        }
        const float* grad = dy + ((b * g.oh + r) * g.ow + col) * g.c;
        for (int64_t ch = 0; ch < g.c; ++ch) {
          if (where[ch] >= 0) dimg[where[ch]] += grad[ch];
        }
      }
    }
  });
}

}  // namespace fedssd
