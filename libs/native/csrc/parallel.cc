// See parallel.h. One job at a time: the job's claim counter is one 64-bit atomic holding
// (job number, task count, next task), so a helper that wakes after its job ended, or after the
// next one began, fails its compare-and-swap instead of running a task of the wrong job.
#include "parallel.h"
#include "common.h"
#include <atomic>
#include <cstdlib>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#include <immintrin.h>
#include <sched.h>

namespace fedssd {

namespace {

constexpr int kIndexBits = 20;  // up to ~1M tasks per job; more run serially
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr int kJobShift = 2 * kIndexBits;
// How long an idle helper polls for the next job before it sleeps, in pause instructions
// (~30-60 ns each). Polling catches the back-to-back jobs of one batch norm without a futex
// wake-up, but on a shared machine the polling burns CPU time the caller could have had.
// FEDSSD_POOL_SPINS overrides it (read once, when the pool starts).
int helperSpins() {
  static const int spins = [] {
    const char* env = std::getenv("FEDSSD_POOL_SPINS");
    return env ? std::atoi(env) : 2000;
  }();
  return spins;
}

struct Pool {
  std::mutex m;                  // guards wake, stop, helpers
  std::condition_variable cv;
  uint64_t wake = 0;             // bumped per job, under m: what sleeping helpers wait for
  bool stop = false;
  std::vector<std::thread> helpers;
  std::mutex jobLock;            // one job at a time
  // job << 40 | tasks << 20 | next task. The 24-bit job number wraps after 16M jobs; a helper
  // would have to sleep through all of them between its load and its CAS to be fooled.
  // Own cache lines: the claim word is written by every claim, done once per thread per job.
  alignas(64) std::atomic<uint64_t> claim{0};
  alignas(64) std::atomic<int64_t> done{0};
  alignas(64) int64_t pad = 0;
  std::atomic<void (*)(void*, int64_t)> fn{nullptr};
  std::atomic<void*> ctx{nullptr};
  uint64_t job = 0;
  // Tasks run by each side since load (diagnostic: how much of the work helpers got to).
  std::atomic<int64_t> byCaller{0}, byHelpers{0};
};

// Never destroyed: helpers may still be parked in it when the process exits.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

// Claims and runs tasks of the current job until none is left; returns how many it ran.
int64_t work(Pool& p) {
  int64_t ran = 0;
  uint64_t cur = p.claim.load(std::memory_order_acquire);
  for (;;) {
    const uint64_t next = cur & kIndexMask;
    const uint64_t tasks = (cur >> kIndexBits) & kIndexMask;
    if (next >= tasks) {
      // One update per thread per job; the caller waits for done == tasks, which counts the
      // tasks this thread ran only once they have all finished (release: their writes too).
      if (ran > 0) p.done.fetch_add(ran, std::memory_order_release);
      return ran;
    }
    if (!p.claim.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    // The CAS succeeded on this job's word, so the job has an unfinished task (this one) and
    // its caller is still waiting: fn and ctx are this job's.
    p.fn.load(std::memory_order_relaxed)(p.ctx.load(std::memory_order_relaxed), static_cast<int64_t>(next));
    ++ran;
    cur = p.claim.load(std::memory_order_acquire);
  }
}

void helperMain(Pool& p) {
  uint64_t seen = 0;
  for (;;) {
    // Spin briefly for the next job first: a batch norm is three jobs back to back, and a
    // futex wake-up takes longer than one of them on small layers.
    for (int spin = 0; spin < helperSpins(); ++spin) {
      const uint64_t cur = p.claim.load(std::memory_order_acquire);
      if ((cur & kIndexMask) < ((cur >> kIndexBits) & kIndexMask)) {
        p.byHelpers.fetch_add(work(p), std::memory_order_relaxed);
        spin = 0;
      }
      _mm_pause();
    }
    std::unique_lock<std::mutex> lk(p.m);
    p.cv.wait(lk, [&] { return p.stop || p.wake != seen; });
    if (p.stop) return;
    seen = p.wake;
    lk.unlock();
    p.byHelpers.fetch_add(work(p), std::memory_order_relaxed);
  }
}

}  // namespace

void setPoolThreads(int threads) {
  Pool& p = pool();
  std::lock_guard<std::mutex> job(p.jobLock);
  const size_t helpers = threads > 1 ? static_cast<size_t>(threads - 1) : 0;
  if (helpers == p.helpers.size()) return;
  {
    std::lock_guard<std::mutex> lk(p.m);
    p.stop = true;
  }
  p.cv.notify_all();
  for (auto& t : p.helpers) t.join();
  p.helpers.clear();
  p.stop = false;
  for (size_t i = 0; i < helpers; ++i) p.helpers.emplace_back(helperMain, std::ref(p));
}

PoolStats poolStats() { return PoolStats{pool().byCaller.load(), pool().byHelpers.load()}; }

int poolThreads() { return static_cast<int>(pool().helpers.size()); }

bool worthSpreading(int64_t elements) { return elements > parallelMinElements(); }

void runTasks(int64_t tasks, void (*fn)(void*, int64_t), void* ctx) {
  Pool& p = pool();
  std::unique_lock<std::mutex> job(p.jobLock, std::try_to_lock);
  if (!job.owns_lock() || tasks > static_cast<int64_t>(kIndexMask) || p.helpers.empty()) {
    for (int64_t i = 0; i < tasks; ++i) fn(ctx, i);
    return;
  }
  p.fn.store(fn, std::memory_order_relaxed);
  p.ctx.store(ctx, std::memory_order_relaxed);
  p.done.store(0, std::memory_order_relaxed);
  p.job = (p.job + 1) & ((uint64_t{1} << (64 - kJobShift)) - 1);
  p.claim.store(p.job << kJobShift | static_cast<uint64_t>(tasks) << kIndexBits, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lk(p.m);
    ++p.wake;
  }
  p.cv.notify_all();
  p.byCaller.fetch_add(work(p), std::memory_order_relaxed);
  // Only tasks a helper has already claimed are left: wait for those, yielding the core
  // now and then in case the helper was preempted mid-task.
  for (int spin = 0; p.done.load(std::memory_order_acquire) < tasks; ++spin) {
    if (spin < 4000) _mm_pause();
    else sched_yield();
  }
}

}  // namespace fedssd
