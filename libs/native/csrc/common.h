// Shared helpers for the fedssd native kernels: one oneDNN engine and stream per process,
// and a primitive cache keyed by shape so each distinct layer pays oneDNN's JIT cost once.
#pragma once
#include <dnnl.hpp>
#include <cstdint>
#include <string>

namespace fedssd {

dnnl::engine& cpuEngine();

// Memory-bound kernels (elementwise, pooling, batch norm) spread over the task pool
// (parallel.h) only above this many elements: below it, waking a helper costs about what it
// saves. The task pool never waits for a helper that has not started, so unlike the OpenMP
// loops this replaced, a busy machine costs it little (see parallel.h).
constexpr int64_t kDefaultParallelMinElements = 65536;
int64_t parallelMinElements();
void setParallelMinElements(int64_t n);
dnnl::stream& cpuStream();

// Convolution geometry in TF terms (NHWC input, HWIO filter). Dilations are TF's (1 = dense).
struct ConvGeom {
  int64_t n, ih, iw, ci, oh, ow, co, kh, kw;
  int64_t sh, sw, dh, dw;
  int64_t pt, pl, pb, pr;
  std::string key(const char* kind) const;
};

void conv2dForward(const ConvGeom& g, const float* x, const float* w, float* y);
// Per-channel running statistics and affine parameters of an inference batch norm.
struct BnParams {
  const float *mean, *var, *offset, *scale;
  float eps;
};
// y = [relu]((conv(x, w) - mean) * scale / sqrt(var + eps) + offset [+ residual]); residual may be null.
void conv2dBnForward(const ConvGeom& g, const float* x, const float* w, const BnParams& bn, const float* residual,
                     bool relu, float* y);
void conv2dBackwardData(const ConvGeom& g, const float* dy, const float* w, float* dx);
void conv2dBackwardWeights(const ConvGeom& g, const float* x, const float* dy, float* dw);

struct PoolGeom {
  int64_t n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl;
};
void maxPoolForward(const PoolGeom& g, const float* x, float* y);
void maxPoolBackward(const PoolGeom& g, const float* x, const float* dy, float* dx);

// Row-major C[b] = op(A[b]) * op(B[b]); batch stride 0 broadcasts one matrix over the batch.
void batchMatMul(int64_t batch, int64_t m, int64_t n, int64_t k, bool transA, bool transB,
                 const float* a, int64_t strideA, const float* b, int64_t strideB, float* c);

void batchNormForward(int64_t rows, int64_t c, const float* x, const float* mean, int64_t meanLen,
                      const float* var, int64_t varLen, const float* offset, int64_t offsetLen,
                      const float* scale, int64_t scaleLen, float eps, float* y);

void batchNormGrad(int64_t rows, int64_t c, const float* x, const float* dy, const float* mean, const float* var,
                   const float* scale, float eps, float* dx, float* dmean, float* dvar, float* dscale);

// Training batch norm (batch statistics, optional ReLU) and its full gradient; see batch-norm-train.cc.
void batchNormTrainForward(int64_t rows, int64_t c, const float* x, const float* scale, const float* offset, float eps,
                           bool relu, float* y, float* mean, float* var);
void batchNormTrainGrad(int64_t rows, int64_t c, const float* dy, const float* x, const float* mean, const float* var,
                        const float* scale, const float* y, float eps, float* dx, float* dscale, float* doffset);

}  // namespace fedssd
