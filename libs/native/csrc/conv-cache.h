// Internals shared by the convolution kernels (conv.cc, conv-bn.cc): oneDNN descriptors for a
// geometry, and the per-geometry primitive cache with its reordered-filter cache.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "common.h"

namespace fedssd {

struct ConvDescs {
  dnnl::memory::desc src, wAny, dst, wUser;
  dnnl::memory::dims strides, dil, padL, padR;
};

ConvDescs convDescsFor(const ConvGeom& g);

// One cached entry per (kind, geometry): the primitive, its weight layout and, when that
// layout is not plain HWIO, the reorder and its destination. `wSeen` holds the bytes of the
// HWIO filter last reordered into `wScratch`: when the next call's filter has the same bytes
// the reorder is skipped (inference calls every layer with an unchanged filter). Comparing
// bytes, not tensor identity, cannot be fooled by a buffer reused or written in place.
struct ConvEntry {
  dnnl::primitive prim;
  dnnl::memory::desc wPrim;
  bool reorderW = false;
  std::unique_ptr<dnnl::memory> wScratch;
  dnnl::reorder wReorder;
  std::vector<float> wSeen;
};

// The cached entry for `key`, or nullptr.
ConvEntry* findConv(const std::string& key);
// Stores `e` (its primitive and wPrim set) under `key`, preparing the filter reorder if needed.
ConvEntry& storeConv(std::unique_ptr<ConvEntry> e, const dnnl::memory::desc& user, const std::string& key);
// The weights memory to execute `e` with for the HWIO filter `w`: `wUser` itself, or the
// scratch, reordered now unless it already holds this filter's bytes. Enqueues on cpuStream().
dnnl::memory& convWeights(ConvEntry& e, dnnl::memory& wUser, const float* w, size_t count);

}  // namespace fedssd
