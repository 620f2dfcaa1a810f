/**
 * Puts the native kernels in front of tfjs-backend-cpu's own. Each wrapper keeps the
 * original kernel function and calls it for anything the native path does not support.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { loadNativeAddon, type NativeAddon } from './addon.js';
import { batchNormBody } from './batch-norm-kernel.js';
import { registerBatchNormTrainKernels, unregisterBatchNormTrainKernels } from './batch-norm-train-kernels.js';
import { registerReluGradKernel, unregisterReluGradKernel } from './relu-grad-kernel.js';
import { disableNativeBatchNormGradient, enableNativeBatchNormGradient } from './batch-norm-grad.js';
import { disableCheapGradients, enableCheapGradients } from './cheap-gradients.js';
import { registerConvBnKernel, unregisterConvBnKernel } from './conv-bn-kernel.js';
import { conv2dBackpropFilterBody, conv2dBackpropInputBody, conv2dBody } from './conv-kernels.js';
import { BINARY_CODES, UNARY_CODES, binaryBody, reduceBody, tileBody, unaryBody } from './elementwise-kernels.js';
import { setCpuKernel, withFallback, type NativeBody } from './kernel-context.js';
import { batchMatMulBody } from './matmul-kernel.js';
import { maxPoolBody, maxPoolGradBody } from './pool-kernels.js';
import { padBody, sliceBody } from './slice-pad-kernels.js';

const BODIES: ReadonlyArray<readonly [string, (addon: NativeAddon) => NativeBody]> = [
  [tf.Conv2D, conv2dBody],
  [tf.Conv2DBackpropInput, conv2dBackpropInputBody],
  [tf.Conv2DBackpropFilter, conv2dBackpropFilterBody],
  [tf.MaxPool, maxPoolBody],
  [tf.MaxPoolGrad, maxPoolGradBody],
  [tf.BatchMatMul, batchMatMulBody],
  [tf.FusedBatchNorm, batchNormBody],
  ...BINARY_CODES.map(([name, code]) => [name, (addon: NativeAddon) => binaryBody(addon, code)] as const),
  ...UNARY_CODES.map(([name, code]) => [name, (addon: NativeAddon) => unaryBody(addon, code)] as const),
  [tf.Sum, (addon: NativeAddon) => reduceBody(addon, false)],
  [tf.Mean, (addon: NativeAddon) => reduceBody(addon, true)],
  [tf.Tile, tileBody],
  [tf.Slice, sliceBody],
  [tf.PadV2, padBody],
];

/** Options for `registerNativeCpuKernels`. */
export interface NativeCpuOptions {
  /**
   * OpenMP threads for native kernels. A fixed count keeps oneDNN's reductions in the same
   * order run to run (determinism). Default: OpenMP's own (one per core).
   */
  readonly threads?: number;
  /**
   * Keep freed tensor buffers (up to 32 MB each) in the malloc heap for reuse instead of
   * unmapping them: fresh mmap'd pages cost more in faults than the kernels filling them
   * (measured 40 -> 22 ms per 12.8 MB multiply). Process-wide. Default true.
   */
  readonly tuneAllocator?: boolean;
  /**
   * Elementwise, pooling and batch-norm kernels spread over `threads` only above this many
   * elements. Default 65536 (`DEFAULT_PARALLEL_MIN_ELEMENTS`). They cut their work into
   * fixed-size tasks and combine per-task sums in task order, so results are the same bytes at
   * any thread count; their task pool never waits for a helper thread that has not started,
   * so a busy machine costs them little (`libs/native/csrc/parallel.h`).
   */
  readonly parallelMinElements?: number;
}

/** What registration did. */
export interface NativeCpuRegistration {
  /** Kernel names now served natively on 'cpu' (with fallback to the original). */
  readonly kernels: string[];
  /** oneDNN version and OpenMP thread count in force. */
  readonly onednn: string;
  readonly threads: number;
}

/** Default of `NativeCpuOptions.parallelMinElements` (the addon's own default too). */
export const DEFAULT_PARALLEL_MIN_ELEMENTS = 65536;

const originals = new Map<string, KernelFunc>();

/**
 * Registers the native kernels for backend 'cpu'. Import `@tensorflow/tfjs-backend-cpu` first
 * (its import registers the originals this wraps). Idempotent.
 * @throws Error with the reason when the addon is not built or fails to load.
 */
export function registerNativeCpuKernels(options: NativeCpuOptions = {}): NativeCpuRegistration {
  const load = loadNativeAddon();
  if (!load.ok) throw new Error(`@fedssd/native: ${load.reason}`);
  const { addon } = load;
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > 256) {
      throw new RangeError(`registerNativeCpuKernels: threads must be an integer in [1, 256], got ${options.threads}`);
    }
    addon.setThreads(options.threads);
  }
  addon.setParallelMinElements(options.parallelMinElements ?? DEFAULT_PARALLEL_MIN_ELEMENTS);
  if (options.tuneAllocator !== false) addon.tuneAllocator(32 * 2 ** 20, 2 ** 30);
  const kernels: string[] = [];
  for (const [name, makeBody] of BODIES) {
    const current = tf.getKernel(name, 'cpu');
    if (!current) throw new Error(`registerNativeCpuKernels: no cpu kernel '${name}' to wrap; import @tensorflow/tfjs-backend-cpu first`);
    if (!originals.has(name)) originals.set(name, current.kernelFunc);
    const original = originals.get(name) as KernelFunc;
    setCpuKernel(name, withFallback(name, makeBody(addon), original));
    kernels.push(name);
  }
  kernels.push(...registerBatchNormTrainKernels(addon), registerReluGradKernel(addon), registerConvBnKernel(addon));
  enableNativeBatchNormGradient(addon);
  enableCheapGradients(addon);
  kernels.push('FusedBatchNorm(gradient)', 'Relu(gradient)', 'Mean(gradient)');
  const info = addon.info();
  return { kernels, onednn: info.onednn, threads: info.threads };
}

/** Puts the original cpu kernels back (tests compare against them). */
export function unregisterNativeCpuKernels(): void {
  disableNativeBatchNormGradient();
  disableCheapGradients();
  unregisterBatchNormTrainKernels();
  unregisterReluGradKernel();
  unregisterConvBnKernel();
  for (const [name, original] of originals) setCpuKernel(name, original);
}
