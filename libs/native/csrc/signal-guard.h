// Keeps signals away from threads while they run oneDNN's JIT code.
//
// Why: oneDNN's generated f32 GEMM kernels (jit_avx512_common_gemm_f32 and the AVX2 one, up to
// and including the 2.6.3 that Debian ships) point rsp at a heap workspace while they run. A
// signal delivered to that thread then pushes its frame onto the heap, and glibc aborts later
// with "corrupted size vs. prev_size" (oneDNN issue #4845, fixed upstream in 3.11 by PR #4855).
// V8's CPU profiler (node --cpu-prof) sends SIGPROF to the main thread hundreds of times a
// second, so every profiled run that used the native BatchMatMul crashed; any other signal
// (SIGCHLD, SIGTERM, SIGINT) could hit the same window. Blocking leaves the signal pending: it is
// delivered the moment the kernel returns, so nothing is lost, only delayed by one kernel call.
#pragma once
#include <csignal>
#include <pthread.h>

namespace fedssd {

// Blocks every blockable signal on the calling thread for its lifetime, then restores the mask.
class SignalsHeld {
 public:
  SignalsHeld() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
  }
  ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  sigset_t saved_;
};

// Blocks every signal for good in the OpenMP worker threads (they run oneDNN's kernels and
// nothing else, so they never need one); process-directed signals then go to the other threads.
// Call after every change of the OpenMP thread count: new workers start with the caller's mask.
void blockSignalsInOmpWorkers();

}  // namespace fedssd
