// Task pool for the memory-bound kernels (elementwise, pooling, batch norm).
//
// Why not OpenMP, which the convolutions use: an OpenMP loop ends in a barrier that waits for
// every thread of the team, and on this shared machine a helper thread is often descheduled for
// a whole time slice; a 1 ms loop then took 7-27 ms at 2 threads (bench/src/memory-kernels.ts at
// load 11). Here the calling thread claims tasks itself and only waits for tasks a helper has
// actually started: a helper that wakes late finds nothing left and the call costs what the
// serial loop would. Work is cut into tasks by the caller from sizes alone, never from the
// thread count, so a kernel whose tasks write disjoint outputs gives the same bytes whatever
// ran them.
#pragma once
#include <cstdint>
#include <type_traits>

namespace fedssd {

// Helper threads besides the caller (threads - 1); 0 runs everything on the caller.
void setPoolThreads(int threads);
int poolThreads();

// Tasks run on the calling thread and on helpers since the addon loaded (spread jobs only).
struct PoolStats {
  int64_t byCaller, byHelpers;
};
PoolStats poolStats();

// Runs fn(ctx, i) once for each i in [0, tasks), on the caller and the helpers, and returns when
// all have finished. Calls from several threads at once are serialised per call (the second
// runs its tasks alone on its own thread).
void runTasks(int64_t tasks, void (*fn)(void*, int64_t), void* ctx);

// True when a loop over `elements` should be spread (see parallelMinElements in common.h).
bool worthSpreading(int64_t elements);

// f(i) for i in [0, tasks): on the pool when `spread` and there are two tasks or more.
template <typename F>
void forTasks(int64_t tasks, bool spread, F&& f) {
  if (!spread || tasks < 2 || poolThreads() == 0) {
    for (int64_t i = 0; i < tasks; ++i) f(i);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  runTasks(tasks, [](void* ctx, int64_t i) { (*static_cast<Fn*>(ctx))(i); }, const_cast<void*>(static_cast<const void*>(&f)));
}

// f(begin, end) over [0, n) in ranges of `grain` (the last may be shorter), spread when
// n * elementsPerItem is above the threshold.
template <typename F>
void forRanges(int64_t n, int64_t grain, int64_t elementsPerItem, F&& f) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const int64_t tasks = (n + grain - 1) / grain;
  forTasks(tasks, worthSpreading(n * elementsPerItem), [&](int64_t t) {
    const int64_t begin = t * grain;
    f(begin, begin + grain < n ? begin + grain : n);
  });
}

// Items per range so one range is about kTaskElements elements: big enough that claiming it (a
// compare-and-swap on a line both cores write) costs little next to the work, small enough that
// two threads share even the 8x8 layers of a batch of 128.
constexpr int64_t kTaskElements = 32768;
inline int64_t grainFor(int64_t elementsPerItem) {
  return elementsPerItem >= kTaskElements ? 1 : kTaskElements / (elementsPerItem > 0 ? elementsPerItem : 1);
}

}  // namespace fedssd
