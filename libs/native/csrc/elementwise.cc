// Elementwise and reduction kernels for float32 buffers. TF.js's cpu backend runs these as
// generic JS loops with per-element index arithmetic for broadcasts, which dominated a
// training step once the convolutions were native. Outputs are bitwise or near-bitwise equal
// to the JS versions: same float32 arithmetic, sums accumulated in double in the same order.
#include "elementwise.h"
#include "common.h"
#include "parallel.h"
#include <algorithm>
#include <cmath>
#include <vector>

namespace fedssd {

namespace {

template <typename F>
void binaryLoop(const std::vector<int64_t>& out, const std::vector<int64_t>& sa, const std::vector<int64_t>& sb,
                const float* a, const float* b, float* y, F f) {
  const int64_t rank = static_cast<int64_t>(out.size());
  const int64_t inner = out[rank - 1];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < rank; ++d) rows *= out[d];
  // Elements [i0, i1) of output row r.
  auto rowPart = [&](int64_t r, int64_t i0, int64_t i1) {
    // Decompose the row index into outer coordinates to find each input's row start.
    int64_t rem = r, offA = 0, offB = 0;
    for (int64_t d = rank - 2; d >= 0; --d) {
      const int64_t coord = rem % out[d];
      rem /= out[d];
      offA += coord * sa[d];
      offB += coord * sb[d];
    }
    const float* pa = a + offA;
    const float* pb = b + offB;
    float* py = y + r * inner;
    if (ia == 1 && ib == 1) {
      for (int64_t i = i0; i < i1; ++i) py[i] = f(pa[i], pb[i]);
    } else if (ia == 1 && ib == 0) {
      const float vb = *pb;
      for (int64_t i = i0; i < i1; ++i) py[i] = f(pa[i], vb);
    } else if (ia == 0 && ib == 1) {
      const float va = *pa;
      for (int64_t i = i0; i < i1; ++i) py[i] = f(va, pb[i]);
    } else {
      for (int64_t i = i0; i < i1; ++i) py[i] = f(pa[i * ia], pb[i * ib]);
    }
  };
  // Same-shape operands collapse to one long row (gradient sums, the relu mask): cut long rows
  // into segments so they spread too. Each output element is computed once either way.
  constexpr int64_t kSegment = kTaskElements;
  if (inner >= 2 * kSegment) {
    const int64_t segments = (inner + kSegment - 1) / kSegment;
    forTasks(rows * segments, worthSpreading(rows * inner), [&](int64_t t) {
      const int64_t i0 = (t % segments) * kSegment;
      rowPart(t / segments, i0, i0 + kSegment < inner ? i0 + kSegment : inner);
    });
  } else {
    forRanges(rows, grainFor(inner), inner, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) rowPart(r, 0, inner);
    });
  }
}

}  // namespace

void binaryOp(BinaryKind kind, const std::vector<int64_t>& out, const std::vector<int64_t>& sa,
              const std::vector<int64_t>& sb, const float* a, const float* b, float* y) {
  switch (kind) {
    case BinaryKind::Add: return binaryLoop(out, sa, sb, a, b, y, [](float p, float q) { return p + q; });
    case BinaryKind::Sub: return binaryLoop(out, sa, sb, a, b, y, [](float p, float q) { return p - q; });
    case BinaryKind::Mul: return binaryLoop(out, sa, sb, a, b, y, [](float p, float q) { return p * q; });
    case BinaryKind::Div: return binaryLoop(out, sa, sb, a, b, y, [](float p, float q) { return p / q; });
    case BinaryKind::SquaredDifference:
      return binaryLoop(out, sa, sb, a, b, y, [](float p, float q) { return (p - q) * (p - q); });
    case BinaryKind::Maximum: return binaryLoop(out, sa, sb, a, b, y, [](float p, float q) { return p > q ? p : q; });
    case BinaryKind::ReluGrad:
      return binaryLoop(out, sa, sb, a, b, y, [](float p, float q) { return q > 0.f ? p : (q != q ? q : 0.f); });
  }
}

namespace {

// One loop per op (a template, not a switch per element) so the compiler can vectorise it.
template <typename F>
void unaryLoop(const float* x, float* y, int64_t n, F f) {
  forRanges(n, grainFor(1), 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) y[i] = f(x[i]);
  });
}

}  // namespace

void unaryOp(UnaryKind kind, float alpha, const float* x, float* y, int64_t n) {
  switch (kind) {
    case UnaryKind::Relu: return unaryLoop(x, y, n, [](float v) { return v < 0.f ? 0.f : v; });
    // NaN stays NaN (v > 0 is false and v != v), as in TF.js.
    case UnaryKind::Step: return unaryLoop(x, y, n, [alpha](float v) { return v > 0.f ? 1.f : (v != v ? v : alpha); });
    case UnaryKind::Square: return unaryLoop(x, y, n, [](float v) { return v * v; });
    case UnaryKind::Neg: return unaryLoop(x, y, n, [](float v) { return -v; });
    case UnaryKind::Exp: return unaryLoop(x, y, n, [](float v) { return std::exp(v); });
    case UnaryKind::Sqrt: return unaryLoop(x, y, n, [](float v) { return std::sqrt(v); });
    case UnaryKind::Rsqrt: return unaryLoop(x, y, n, [](float v) { return 1.f / std::sqrt(v); });
  }
}

void reduceSum(int64_t outer, int64_t reduce, int64_t inner, float divisor, const float* x, float* y) {
  // y[o, i] = sum_r x[o, r, i] (divided element-wise first when divisor != 1, as TF.js's Mean does).
  const bool divide = divisor != 1.f;
  // One task per output row: each sums its own rows in order, so spreading changes nothing.
  forTasks(outer, worthSpreading(outer * reduce * inner), [&](int64_t o) {
    std::vector<double> acc(inner, 0.0);
    const float* base = x + o * reduce * inner;
    for (int64_t r = 0; r < reduce; ++r) {
      const float* row = base + r * inner;
      if (divide) {
        for (int64_t i = 0; i < inner; ++i) acc[i] += static_cast<float>(row[i] / divisor);
      } else {
        for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
      }
    }
    for (int64_t i = 0; i < inner; ++i) y[o * inner + i] = static_cast<float>(acc[i]);
  });
}

void tile(const std::vector<int64_t>& in, const std::vector<int64_t>& out, const float* x, float* y) {
  const int64_t rank = static_cast<int64_t>(out.size());
  const int64_t inner = out[rank - 1], innerIn = in[rank - 1];
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < rank; ++d) rows *= out[d];
  std::vector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) strides[d] = strides[d + 1] * in[d + 1];
  forRanges(rows, grainFor(inner), inner, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, off = 0;
      for (int64_t d = rank - 2; d >= 0; --d) {
        off += ((rem % out[d]) % in[d]) * strides[d];
        rem /= out[d];
      }
      const float* src = x + off;
      float* dst = y + r * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] = src[i % innerIn];
    }
  });
}

}  // namespace fedssd

namespace fedssd {

void copyBox(const std::vector<int64_t>& inShape, const std::vector<int64_t>& outShape, const std::vector<int64_t>& inStart,
             const std::vector<int64_t>& outStart, const std::vector<int64_t>& box, const float* x, float* y) {
  const int64_t rank = static_cast<int64_t>(box.size());
  std::vector<int64_t> inStrides(rank, 1), outStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) {
    inStrides[d] = inStrides[d + 1] * inShape[d + 1];
    outStrides[d] = outStrides[d + 1] * outShape[d + 1];
  }
  const int64_t run = box[rank - 1];
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < rank; ++d) rows *= box[d];
  forRanges(rows, grainFor(run), run, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, inOff = inStart[rank - 1], outOff = outStart[rank - 1];
      for (int64_t d = rank - 2; d >= 0; --d) {
        const int64_t coord = rem % box[d];
        rem /= box[d];
        inOff += (coord + inStart[d]) * inStrides[d];
        outOff += (coord + outStart[d]) * outStrides[d];
      }
      std::copy(x + inOff, x + inOff + run, y + outOff);
    }
  });
}

void fill(float value, float* y, int64_t n) {
  forRanges(n, grainFor(1), 1, [&](int64_t i0, int64_t i1) { std::fill(y + i0, y + i1, value); });
}

}  // namespace fedssd
