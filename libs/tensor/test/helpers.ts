import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../src/index.js';

/** Seeded normal tensor (tests never use Math.random). */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal() * scale),
    shape,
  );
}

/** Max |a-b| / (max|b| + 1e-6): a relative error robust to near-zero entries. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i += 1) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / (scale + 1e-6);
}

/** Runs `f` on the named backend and returns its result as a plain array (all tensors disposed). */
export async function onBackend(name: 'wasm' | 'cpu', f: () => tf.Tensor): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(name);
  const out = tf.tidy(f);
  const values = new Float32Array(await out.data());
  const shape = out.shape;
  out.dispose();
  return { shape, values };
}
