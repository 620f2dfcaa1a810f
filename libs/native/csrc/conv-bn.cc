// Inference convolution + batch norm (running statistics) [+ residual add] [+ ReLU] as one
// oneDNN primitive: the normalisation, the residual and the ReLU are post-ops applied to each
// output block while it is still in cache, instead of three more passes over the activation.
// The post-ops repeat the separate kernels' arithmetic step for step: (acc + (-mean)) * mul
// + offset with mul = scale * (1 / sqrt(var + eps)) in float (batch-norm.cc), then + residual,
// then max(., 0).
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <vector>
#include "conv-cache.h"

namespace fedssd {
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

constexpr int kNegMean = 0, kMul = 1, kOffset = 2;

ConvEntry& entryFor(const ConvGeom& g, const ConvDescs& d, bool residual, bool relu) {
  std::string key = g.key(residual ? (relu ? "fwd_bn_add_relu" : "fwd_bn_add") : (relu ? "fwd_bn_relu" : "fwd_bn"));
  if (ConvEntry* found = findConv(key)) return *found;
  const memory::desc perChannel({1, g.co, 1, 1}, dt::f32, tag::nhwc);
  post_ops ops;
  ops.append_binary(algorithm::binary_add, perChannel);
  ops.append_binary(algorithm::binary_mul, perChannel);
  ops.append_binary(algorithm::binary_add, perChannel);
  if (residual) ops.append_sum(1.f);
  if (relu) ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
  primitive_attr attr;
  attr.set_post_ops(ops);
  auto desc = convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, d.src, d.wAny,
                                        d.dst, d.strides, d.dil, d.padL, d.padR);
  convolution_forward::primitive_desc pd(desc, attr, cpuEngine());
  auto fresh = std::make_unique<ConvEntry>();
  fresh->prim = convolution_forward(pd);
  fresh->wPrim = pd.weights_desc();
  return storeConv(std::move(fresh), d.wUser, key);
}

}  // namespace

void conv2dBnForward(const ConvGeom& g, const float* x, const float* w, const BnParams& bn, const float* residual,
                     bool relu, float* y) {
  ConvDescs d = convDescsFor(g);
  ConvEntry& e = entryFor(g, d, residual != nullptr, relu);
  std::vector<float> negMean(g.co), mul(g.co), offset(g.co);
  for (int64_t ch = 0; ch < g.co; ++ch) {
    negMean[ch] = -bn.mean[ch];
    mul[ch] = bn.scale[ch] * (1.f / std::sqrt(bn.var[ch] + bn.eps));
    offset[ch] = bn.offset[ch];
  }
  const memory::desc perChannel({1, g.co, 1, 1}, dt::f32, tag::nhwc);
  memory src(d.src, cpuEngine(), const_cast<float*>(x));
  memory dst(d.dst, cpuEngine(), y);
  memory wUser(d.wUser, cpuEngine(), const_cast<float*>(w));
  memory mNeg(perChannel, cpuEngine(), negMean.data());
  memory mMul(perChannel, cpuEngine(), mul.data());
  memory mOff(perChannel, cpuEngine(), offset.data());
  memory& wPrim = convWeights(e, wUser, w, static_cast<size_t>(g.kh * g.kw * g.ci * g.co));
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wPrim}, {DNNL_ARG_DST, dst},
                                       {DNNL_ARG_ATTR_MULTIPLE_POST_OP(kNegMean) | DNNL_ARG_SRC_1, mNeg},
                                       {DNNL_ARG_ATTR_MULTIPLE_POST_OP(kMul) | DNNL_ARG_SRC_1, mMul},
                                       {DNNL_ARG_ATTR_MULTIPLE_POST_OP(kOffset) | DNNL_ARG_SRC_1, mOff}};
  if (residual) std::memcpy(y, residual, static_cast<size_t>(g.n * g.oh * g.ow * g.co) * sizeof(float));
  e.prim.execute(cpuStream(), args);
  cpuStream().wait();
}

}  // namespace fedssd
