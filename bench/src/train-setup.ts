/** Model specs and the SSD objective shared by the training benchmark and the kernel profiler. */
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeCpuKernels } from '@fedssd/native';
import { createRng, initBackend, type BackendInfo, type BackendPreference } from '@fedssd/tensor';
import type { LocalTrainConfig, ModelKind, ModelSpec } from '@fedssd/ssl';

/** The small preset (28x28x1) or CIFAR ResNet-18 (32x32x3) at the given width multiplier (default 1). */
export function specFor(kind: ModelKind, width: number | undefined): ModelSpec {
  if (kind === 'small' || kind === 'small-signed') return { kind, inputShape: [28, 28, 1], featureDim: 128 };
  const w = width ?? 1;
  return { kind, inputShape: [32, 32, 3], featureDim: Math.round(512 * w), width: w };
}

/** The SSD objective with paper weights and a seeded random orthogonal DSR basis (dispose `basis`). */
export function objectiveFor(kind: string, d: number): { objective: LocalTrainConfig['objective']; basis?: tf.Tensor2D } {
  if (kind === 'baseline') return { objective: { uniformity: 1 } };
  if (kind !== 'ssd') throw new RangeError(`--objective must be ssd or baseline, got ${kind}`);
  const rng = createRng(42);
  const gaussian = Float32Array.from({ length: d * d }, () => rng.normal());
  const basis = tf.tidy(() => tf.linalg.qr(tf.tensor2d(gaussian, [d, d]))[0] as tf.Tensor2D);
  const m = Math.floor(d / 10);
  const slice = Array.from({ length: m }, (_, i) => i);
  return {
    objective: { uniformity: 1, dsr: { coeff: 1, target: { basis, slice, scale: 10 } }, pd: { coeff: 0.1, temperature: 0.5 } },
    basis,
  };
}

/** `--name` as a positive integer, or a RangeError naming the flag. */
export function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got ${text}`);
  return n;
}

/**
 * The TF.js backend of a benchmark process; on cpu-native, `threads` (when given) is the oneDNN
 * thread count, the same as the PyTorch side's (registration is idempotent; it only resets threads),
 * and `parallelMinElements` (when given) the size above which the memory-bound kernels spread
 * over those threads (a huge value keeps them single-threaded, the policy before issue 13).
 */
export async function initBenchBackend(
  backend: string | undefined,
  threads: string | undefined,
  parallelMinElements?: string,
): Promise<BackendInfo> {
  const info = await initBackend((backend ?? 'auto') as BackendPreference);
  if ((threads !== undefined || parallelMinElements !== undefined) && info.kind === 'cpu-native') {
    registerNativeCpuKernels({
      ...(threads === undefined ? {} : { threads: positiveInt('threads', threads) }),
      ...(parallelMinElements === undefined ? {} : { parallelMinElements: nonNegativeInt('parallel-min-elements', parallelMinElements) }),
    });
  }
  return info;
}

function nonNegativeInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${text}`);
  return n;
}
