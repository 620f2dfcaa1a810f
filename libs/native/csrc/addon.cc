// N-API bindings: every kernel reads Float32Array inputs and writes a caller-allocated
// Float32Array output in place; shapes and attributes arrive as plain number arrays.
#include <napi.h>
#include <malloc.h>
#include <climits>
#include <omp.h>
#include <vector>
#include "common.h"
#include "elementwise.h"
#include "parallel.h"
#include "signal-guard.h"

namespace fedssd {

dnnl::engine& cpuEngine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}
dnnl::stream& cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

namespace {
int64_t gParallelMin = kDefaultParallelMinElements;
}  // namespace
int64_t parallelMinElements() { return gParallelMin; }
void setParallelMinElements(int64_t n) { gParallelMin = n; }

namespace {

float* f32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
size_t len(const Napi::Value& v) { return v.As<Napi::Float32Array>().ElementLength(); }

std::vector<int64_t> ints(const Napi::Value& v) {
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) out[i] = arr.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

// geometry: [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr]
ConvGeom convGeom(const Napi::Value& v) {
  auto g = ints(v);
  return ConvGeom{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], g[16]};
}

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F body) {
  try {
    body();
  } catch (const dnnl::error& err) {
    Napi::Error::New(info.Env(), std::string("oneDNN: ") + err.what()).ThrowAsJavaScriptException();
  } catch (const std::exception& err) {
    Napi::Error::New(info.Env(), err.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// guarded() for calls that run oneDNN code: no signal may land inside its JIT kernels
// (signal-guard.h). Only these pay for it, a mask swap costs ~3 us here (two syscalls).
template <typename F>
Napi::Value onednn(const Napi::CallbackInfo& info, F body) {
  const SignalsHeld held;
  return guarded(info, body);
}

// conv2d(geom, x, w, y)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return onednn(info, [&] { conv2dForward(convGeom(info[0]), f32(info[1]), f32(info[2]), f32(info[3])); });
}
// conv2dBn(geom, eps, relu, x, w, mean, variance, offset, scale, residual|null, y)
Napi::Value Conv2dBn(const Napi::CallbackInfo& info) {
  return onednn(info, [&] {
    const BnParams bn{f32(info[5]), f32(info[6]), f32(info[7]), f32(info[8]), info[1].As<Napi::Number>().FloatValue()};
    conv2dBnForward(convGeom(info[0]), f32(info[3]), f32(info[4]), bn, info[9].IsTypedArray() ? f32(info[9]) : nullptr,
                    info[2].As<Napi::Boolean>().Value(), f32(info[10]));
  });
}
// conv2dBackpropInput(geom, dy, w, dx)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return onednn(info, [&] { conv2dBackwardData(convGeom(info[0]), f32(info[1]), f32(info[2]), f32(info[3])); });
}
// conv2dBackpropFilter(geom, x, dy, dw)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return onednn(info, [&] { conv2dBackwardWeights(convGeom(info[0]), f32(info[1]), f32(info[2]), f32(info[3])); });
}

// geometry: [n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl]
PoolGeom poolGeom(const Napi::Value& v) {
  auto g = ints(v);
  return PoolGeom{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11]};
}
// maxPool(geom, x, y)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { maxPoolForward(poolGeom(info[0]), f32(info[1]), f32(info[2])); });
}
// maxPoolGrad(geom, x, dy, dx)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { maxPoolBackward(poolGeom(info[0]), f32(info[1]), f32(info[2]), f32(info[3])); });
}

// matMul([batch, m, n, k, transA, transB, strideA, strideB], a, b, c)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return onednn(info, [&] {
    auto p = ints(info[0]);
    batchMatMul(p[0], p[1], p[2], p[3], p[4] != 0, p[5] != 0, f32(info[1]), p[6], f32(info[2]), p[7], f32(info[3]));
  });
}

// batchNorm(channels, eps, x, mean, variance, offset|null, scale|null, y)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t c = info[0].As<Napi::Number>().Int64Value();
    const float eps = info[1].As<Napi::Number>().FloatValue();
    const bool hasOffset = info[5].IsTypedArray(), hasScale = info[6].IsTypedArray();
    batchNormForward(static_cast<int64_t>(len(info[2])) / c, c, f32(info[2]), f32(info[3]), len(info[3]), f32(info[4]),
                     len(info[4]), hasOffset ? f32(info[5]) : nullptr, hasOffset ? len(info[5]) : 0,
                     hasScale ? f32(info[6]) : nullptr, hasScale ? len(info[6]) : 0, eps, f32(info[7]));
  });
}

// binary(kind, outShape, stridesA, stridesB, a, b, y)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    binaryOp(static_cast<BinaryKind>(info[0].As<Napi::Number>().Int32Value()), ints(info[1]), ints(info[2]), ints(info[3]),
             f32(info[4]), f32(info[5]), f32(info[6]));
  });
}
// unary(kind, alpha, x, y)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    unaryOp(static_cast<UnaryKind>(info[0].As<Napi::Number>().Int32Value()), info[1].As<Napi::Number>().FloatValue(),
            f32(info[2]), f32(info[3]), static_cast<int64_t>(len(info[2])));
  });
}
// reduceSum([outer, reduce, inner], divisor, x, y)
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto p = ints(info[0]);
    reduceSum(p[0], p[1], p[2], info[1].As<Napi::Number>().FloatValue(), f32(info[2]), f32(info[3]));
  });
}
// tile(inShape, outShape, x, y)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { tile(ints(info[0]), ints(info[1]), f32(info[2]), f32(info[3])); });
}

// copyBox(inShape, outShape, inStart, outStart, box, x, y)
Napi::Value CopyBox(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    copyBox(ints(info[0]), ints(info[1]), ints(info[2]), ints(info[3]), ints(info[4]), f32(info[5]), f32(info[6]));
  });
}
// fill(value, y)
Napi::Value Fill(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { fill(info[0].As<Napi::Number>().FloatValue(), f32(info[1]), static_cast<int64_t>(len(info[1]))); });
}

Napi::Value SetParallelMin(const Napi::CallbackInfo& info) {
  setParallelMinElements(info[0].As<Napi::Number>().Int64Value());
  return info.Env().Undefined();
}

// batchNormGrad(channels, eps, x, dy, mean, variance, scale|null, dx, dmean, dvar, dscale)
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t c = info[0].As<Napi::Number>().Int64Value();
    const bool hasScale = info[6].IsTypedArray();
    batchNormGrad(static_cast<int64_t>(len(info[2])) / c, c, f32(info[2]), f32(info[3]), f32(info[4]), f32(info[5]),
                  hasScale ? f32(info[6]) : nullptr, info[1].As<Napi::Number>().FloatValue(), f32(info[7]), f32(info[8]),
                  f32(info[9]), f32(info[10]));
  });
}

// batchNormTrain(channels, eps, relu, x, scale, offset, y, mean, variance)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t c = info[0].As<Napi::Number>().Int64Value();
    batchNormTrainForward(static_cast<int64_t>(len(info[3])) / c, c, f32(info[3]), f32(info[4]), f32(info[5]),
                          info[1].As<Napi::Number>().FloatValue(), info[2].As<Napi::Boolean>().Value(), f32(info[6]),
                          f32(info[7]), f32(info[8]));
  });
}

// batchNormTrainGrad(channels, eps, dy, x, mean, variance, scale, y|null, dx, dscale, doffset); y given = relu
Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t c = info[0].As<Napi::Number>().Int64Value();
    const bool hasY = info[7].IsTypedArray();
    batchNormTrainGrad(static_cast<int64_t>(len(info[2])) / c, c, f32(info[2]), f32(info[3]), f32(info[4]), f32(info[5]),
                       f32(info[6]), hasY ? f32(info[7]) : nullptr, info[1].As<Napi::Number>().FloatValue(), f32(info[8]),
                       f32(info[9]), f32(info[10]));
  });
}

// Both pools: OpenMP's (oneDNN) and the task pool of the memory-bound kernels.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  omp_set_num_threads(info[0].As<Napi::Number>().Int32Value());
  blockSignalsInOmpWorkers();
  setPoolThreads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// Keeps freed tensor buffers in the malloc heap instead of returning them to the kernel: Node
// allocates ArrayBuffers with calloc, and a fresh mmap per 10 MB activation costs more in page
// faults than the kernel that fills it. Process-wide; raises resident memory only by what was
// already the peak.
Napi::Value TuneAllocator(const Napi::CallbackInfo& info) {
  const int mmapBytes = info[0].As<Napi::Number>().Int32Value();
  const int trimBytes = info[1].As<Napi::Number>().Int32Value();
  const bool ok = mallopt(M_MMAP_THRESHOLD, mmapBytes) == 1 && mallopt(M_TRIM_THRESHOLD, trimBytes) == 1;
  return Napi::Boolean::New(info.Env(), ok);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  auto out = Napi::Object::New(info.Env());
  const dnnl_version_t* v = dnnl_version();
  out.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("threads", omp_get_max_threads());
  const PoolStats stats = poolStats();
  out.Set("poolTasksCaller", static_cast<double>(stats.byCaller));
  out.Set("poolTasksHelpers", static_cast<double>(stats.byHelpers));
  return out;
}

}  // namespace

void blockSignalsInOmpWorkers() {
  // Every thread of the team, the caller included, blocks; the caller then restores its own mask.
  sigset_t saved;
  pthread_sigmask(SIG_SETMASK, nullptr, &saved);
#pragma omp parallel
  {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
  }
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  blockSignalsInOmpWorkers();
  setPoolThreads(omp_get_max_threads());
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBn", Napi::Function::New(env, Conv2dBn));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduceSum", Napi::Function::New(env, ReduceSum));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("copyBox", Napi::Function::New(env, CopyBox));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("setParallelMinElements", Napi::Function::New(env, SetParallelMin));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("tuneAllocator", Napi::Function::New(env, TuneAllocator));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace fedssd

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return fedssd::Init(env, exports); }

NODE_API_MODULE(fedssd_native, InitAddon)
