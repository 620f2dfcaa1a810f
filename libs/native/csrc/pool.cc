// 2-D max pooling on NHWC buffers, plain C++ (memory-bound, so oneDNN would add no speed
// but would need its forward workspace in the backward pass). Ties go to the first maximum
// in row-major window order, the same position TF.js's cpu kernel picks.
#include "common.h"
#include "parallel.h"
#include <limits>
#include <vector>

namespace fedssd {

// f(offset) for each input pixel inside the pooling window of output position (r, col), in
// row-major window order; offset is the pixel's first channel within one NHWC image.
template <typename F>
static void forWindow(const PoolGeom& g, int64_t r, int64_t col, F&& f) {
  for (int64_t i = 0; i < g.kh; ++i) {
    const int64_t xr = r * g.sh - g.pt + i;
    if (xr < 0 || xr >= g.ih) continue;
    for (int64_t j = 0; j < g.kw; ++j) {
      const int64_t xc = col * g.sw - g.pl + j;
      if (xc < 0 || xc >= g.iw) continue;
      f((xr * g.iw + xc) * g.c);
    }
  }
}

// The maximum over the pooling window of output position (r, col) of one NHWC image, per
// channel, into out[0..c). Shared by the forward and the gradient's first pass, so the gradient
// compares against exactly the value the forward produced.
static void windowMax(const PoolGeom& g, const float* img, int64_t r, int64_t col, float* out) {
  for (int64_t ch = 0; ch < g.c; ++ch) out[ch] = -std::numeric_limits<float>::infinity();
  forWindow(g, r, col, [&](int64_t base) {
    const float* in = img + base;
    for (int64_t ch = 0; ch < g.c; ++ch) out[ch] = in[ch] > out[ch] ? in[ch] : out[ch];
  });
}

void maxPoolForward(const PoolGeom& g, const float* x, float* y) {
  // One output row per task (each writes only its own row).
  forTasks(g.n * g.oh, worthSpreading(g.n * g.ih * g.iw * g.c), [&](int64_t row) {
    const int64_t b = row / g.oh, r = row % g.oh;
    const float* img = x + b * g.ih * g.iw * g.c;
    for (int64_t col = 0; col < g.ow; ++col) {
      windowMax(g, img, r, col, y + ((b * g.oh + r) * g.ow + col) * g.c);
    }
  });
}

void maxPoolBackward(const PoolGeom& g, const float* x, const float* dy, float* dx) {
  const int64_t imgSize = g.ih * g.iw * g.c;
  // Parallel over images: windows of one image may overlap, so one thread owns each image.
  // Two branch-free passes per window so the channel loops vectorise (a compare-and-remember
  // loop did not, and was 10x the forward's time): pass 1 finds the window maximum exactly as
  // the forward does; pass 2 gives the gradient to the first position equal to it, the same
  // position the strict ">" scan picked (for inputs without NaN).
  forTasks(g.n, worthSpreading(g.n * g.ih * g.iw * g.c), [&](int64_t b) {
    const float* img = x + b * imgSize;
    float* dimg = dx + b * imgSize;
    for (int64_t k = 0; k < imgSize; ++k) dimg[k] = 0.f;
    std::vector<float> best(g.c), taken(g.c);
    for (int64_t r = 0; r < g.oh; ++r) {
      for (int64_t col = 0; col < g.ow; ++col) {
        float* bp = best.data();
        float* tp = taken.data();
        windowMax(g, img, r, col, bp);
        for (int64_t ch = 0; ch < g.c; ++ch) tp[ch] = 0.f;
        const float* grad = dy + ((b * g.oh + r) * g.ow + col) * g.c;
        forWindow(g, r, col, [&](int64_t base) {
          const float* in = img + base;
          float* d = dimg + base;
          for (int64_t ch = 0; ch < g.c; ++ch) {
            // Masks as 0/1 floats and every load and store unconditional: GCC 12 vectorises
            // this form and not one with bool masks ("control flow in loop").
            const float v = in[ch], dv = d[ch], gv = grad[ch], t = tp[ch];
            const float first = static_cast<float>(v == bp[ch]) * static_cast<float>(t == 0.f);
            // A select, not first * gv, so an infinite gradient elsewhere does not become NaN;
            // adding +0 leaves d unchanged as d starts at +0 and never becomes -0.
            d[ch] = dv + (first != 0.f ? gv : 0.f);
            tp[ch] = t + first;
          }
        });
      }
    }
  });
}

}  // namespace fedssd
