/** Runs the same TF.js computation with the native kernels and with the stock cpu ones. */
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeCpuKernels, unregisterNativeCpuKernels } from '@fedssd/native';
import { expect } from 'vitest';

/** Returns [native, reference] flat values of every tensor `fn` returns. */
export function bothWays(fn: () => tf.Tensor | tf.Tensor[]): [Float32Array[], Float32Array[]] {
  const run = (): Float32Array[] =>
    tf
      .tidy(() => [fn()].flat())
      .map((t) => {
        const v = t.dataSync() as Float32Array;
        t.dispose();
        return Float32Array.from(v);
      });
  registerNativeCpuKernels({ threads: 2 });
  const native = run();
  unregisterNativeCpuKernels();
  const reference = run();
  registerNativeCpuKernels({ threads: 2 });
  return [native, reference];
}

/** |a - b| <= rel * max(1, |b|_inf) elementwise: relative to the tensor's scale. */
export function expectClose(actual: Float32Array, expected: Float32Array, rel = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  expect(worst / scale).toBeLessThanOrEqual(rel);
}

/** Seeded uniform(-1, 1) tensor without Math.random. */
export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}
