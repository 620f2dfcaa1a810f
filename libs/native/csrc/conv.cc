// Convolution forward, backward-data and backward-weights through oneDNN on caller-owned
// NHWC / HWIO buffers. Activations are bound in place (no copies); oneDNN may prefer a blocked
// weight layout, in which case only the (small) filter is reordered, and only when its bytes
// differ from the last filter reordered for that geometry (see conv-cache.h).
#include "conv-cache.h"
#include <cstring>
#include <unordered_map>

namespace fedssd {
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

std::string ConvGeom::key(const char* kind) const {
  std::string k(kind);
  for (int64_t v : {n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr}) {
    k += ':';
    k += std::to_string(v);
  }
  return k;
}

ConvDescs convDescsFor(const ConvGeom& g) {
  ConvDescs d;
  d.src = memory::desc({g.n, g.ci, g.ih, g.iw}, dt::f32, tag::nhwc);
  d.dst = memory::desc({g.n, g.co, g.oh, g.ow}, dt::f32, tag::nhwc);
  d.wAny = memory::desc({g.co, g.ci, g.kh, g.kw}, dt::f32, tag::any);
  d.wUser = memory::desc({g.co, g.ci, g.kh, g.kw}, dt::f32, tag::hwio);
  d.strides = {g.sh, g.sw};
  d.dil = {g.dh - 1, g.dw - 1};  // oneDNN counts dilation from 0
  d.padL = {g.pt, g.pl};
  d.padR = {g.pb, g.pr};
  return d;
}

namespace {

using Descs = ConvDescs;
Descs descsFor(const ConvGeom& g) { return convDescsFor(g); }

convolution_forward::primitive_desc forwardHint(const ConvGeom& g, const Descs& d) {
  auto desc = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, d.src, d.wAny,
                                        d.dst, d.strides, d.dil, d.padL, d.padR);
  return convolution_forward::primitive_desc(desc, cpuEngine());
}

std::unordered_map<std::string, std::unique_ptr<ConvEntry>>& cache() {
  static std::unordered_map<std::string, std::unique_ptr<ConvEntry>> c;
  return c;
}

using Entry = ConvEntry;
Entry& finish(std::unique_ptr<Entry> e, const memory::desc& user, const std::string& key) {
  return storeConv(std::move(e), user, key);
}

}  // namespace

ConvEntry* findConv(const std::string& key) {
  auto it = cache().find(key);
  return it == cache().end() ? nullptr : it->second.get();
}

ConvEntry& storeConv(std::unique_ptr<ConvEntry> e, const memory::desc& user, const std::string& key) {
  e->reorderW = e->wPrim != user;
  if (e->reorderW) {
    e->wScratch = std::make_unique<memory>(e->wPrim, cpuEngine());
    e->wReorder = reorder(reorder::primitive_desc(cpuEngine(), user, cpuEngine(), e->wPrim));
  }
  auto& slot = cache()[key];
  slot = std::move(e);
  return *slot;
}

memory& convWeights(ConvEntry& e, memory& wUser, const float* w, size_t count) {
  if (!e.reorderW) return wUser;
  const size_t bytes = count * sizeof(float);
  if (e.wSeen.size() == count && std::memcmp(e.wSeen.data(), w, bytes) == 0) return *e.wScratch;
  e.wSeen.assign(w, w + count);
  e.wReorder.execute(cpuStream(), wUser, *e.wScratch);
  return *e.wScratch;
}

void conv2dForward(const ConvGeom& g, const float* x, const float* w, float* y) {
  Descs d = descsFor(g);
  std::string key = g.key("fwd");
  auto it = cache().find(key);
  Entry* e;
  if (it == cache().end()) {
    auto pd = forwardHint(g, d);
    auto fresh = std::make_unique<Entry>();
    fresh->prim = convolution_forward(pd);
    fresh->wPrim = pd.weights_desc();
    e = &finish(std::move(fresh), d.wUser, key);
  } else {
    e = it->second.get();
  }
  memory src(d.src, cpuEngine(), const_cast<float*>(x));
  memory dst(d.dst, cpuEngine(), y);
  memory wUser(d.wUser, cpuEngine(), const_cast<float*>(w));
  memory& wPrim = convWeights(*e, wUser, w, static_cast<size_t>(g.kh * g.kw * g.ci * g.co));
  e->prim.execute(cpuStream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wPrim}, {DNNL_ARG_DST, dst}});
  cpuStream().wait();
}

void conv2dBackwardData(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  Descs d = descsFor(g);
  std::string key = g.key("bwd_data");
  auto it = cache().find(key);
  Entry* e;
  if (it == cache().end()) {
    auto desc = convolution_backward_data::desc(algorithm::convolution_direct, d.src, d.wAny, d.dst, d.strides, d.dil,
                                                d.padL, d.padR);
    auto pd = convolution_backward_data::primitive_desc(desc, cpuEngine(), forwardHint(g, d));
    auto fresh = std::make_unique<Entry>();
    fresh->prim = convolution_backward_data(pd);
    fresh->wPrim = pd.weights_desc();
    e = &finish(std::move(fresh), d.wUser, key);
  } else {
    e = it->second.get();
  }
  memory diffSrc(d.src, cpuEngine(), dx);
  memory diffDst(d.dst, cpuEngine(), const_cast<float*>(dy));
  memory wUser(d.wUser, cpuEngine(), const_cast<float*>(w));
  memory& wPrim = convWeights(*e, wUser, w, static_cast<size_t>(g.kh * g.kw * g.ci * g.co));
  e->prim.execute(cpuStream(), {{DNNL_ARG_DIFF_SRC, diffSrc}, {DNNL_ARG_WEIGHTS, wPrim}, {DNNL_ARG_DIFF_DST, diffDst}});
  cpuStream().wait();
}

void conv2dBackwardWeights(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  Descs d = descsFor(g);
  std::string key = g.key("bwd_weights");
  auto it = cache().find(key);
  Entry* e;
  if (it == cache().end()) {
    auto desc = convolution_backward_weights::desc(algorithm::convolution_direct, d.src, d.wAny, d.dst, d.strides,
                                                   d.dil, d.padL, d.padR);
    auto pd = convolution_backward_weights::primitive_desc(desc, cpuEngine(), forwardHint(g, d));
    auto fresh = std::make_unique<Entry>();
    fresh->prim = convolution_backward_weights(pd);
    fresh->wPrim = pd.diff_weights_desc();
    e = &finish(std::move(fresh), d.wUser, key);
  } else {
    e = it->second.get();
  }
  memory src(d.src, cpuEngine(), const_cast<float*>(x));
  memory diffDst(d.dst, cpuEngine(), const_cast<float*>(dy));
  memory wUser(d.wUser, cpuEngine(), dw);
  e->prim.execute(cpuStream(),
                  {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, e->reorderW ? *e->wScratch : wUser}});
  if (e->reorderW) reorder(*e->wScratch, wUser).execute(cpuStream(), *e->wScratch, wUser);
  cpuStream().wait();
}

}  // namespace fedssd
