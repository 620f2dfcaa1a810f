/**
 * V8's garbage collector marks and sweeps on background threads by default. Training keeps
 * every core busy with kernel threads (oneDNN/OpenMP, libtensorflow), and a training step
 * allocates hundreds of MB of tensor buffers, which starts about ten old-space collections
 * per ResNet-18 step. Their helper threads then take a core from a kernel thread, and every
 * thread of that kernel waits at its barrier: single weight reorders of a few microseconds were
 * seen taking 8-15 ms. With `--single-threaded-gc` the same collections run on the main
 * thread between kernels (measured in docs/PERFORMANCE.md, "V8's GC threads").
 *
 * The flag cannot be set in NODE_OPTIONS or safely at run time (v8.setFlagsFromString with
 * it aborts), so every launcher of a training process passes it on the command line.
 */

/** Node flags for processes that train or fold (trainer, aggregator, `fedssd simulate`, benches). */
export const TRAINING_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

/**
 * A one-line backend note when this process runs with concurrent GC threads, saying how to
 * start it instead; undefined when the flags are set.
 */
export function gcThreadsNote(execArgv: readonly string[] = process.execArgv): string | undefined {
  const missing = TRAINING_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
  if (missing.length === 0) return undefined;
  return `gc: concurrent GC threads compete with the kernel threads; start node with ${missing.join(' ')} for faster steps`;
}
