import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertMatrix, assertPositive } from './checks.js';

/** Cached upper-triangle masks (strictly i < j) as plain arrays, keyed by N; tensors are built per call. */
const maskCache = new Map<number, Float32Array>();

function upperMask(n: number): Float32Array {
  let mask = maskCache.get(n);
  if (!mask) {
    mask = new Float32Array(n * n);
    for (let i = 0; i < n; i += 1) for (let j = i + 1; j < n; j += 1) mask[i * n + j] = 1;
    maskCache.set(n, mask);
  }
  return mask;
}

/**
 * Uniformity loss U(Z) = log mean_{i<j} exp(-t ||z_i - z_j||^2) over all N(N-1)/2 pairs of rows
 * (lower is more uniform). Squared distances come from the Gram matrix,
 * ||z_i||^2 + ||z_j||^2 - 2 z_i.z_j, so inputs need not be unit-norm; the log-mean-exp subtracts the
 * largest masked exponent first so that it cannot underflow.
 *
 * @param z - [N, d] embeddings, N >= 2 (normally already L2-normalised).
 * @param t - temperature, > 0 (default 2).
 */
export function uniformityLoss(z: Tensor2D, t = 2): Scalar {
  assertMatrix('z', z, 2);
  assertPositive('t', t);
  const n = z.shape[0];
  const pairs = (n * (n - 1)) / 2;
  return tf.tidy(() => {
    const gram = tf.matMul(z, z, false, true);
    const sqNorms = tf.sum(tf.square(z), 1);
    const sqDist = tf.relu(tf.sub(tf.add(tf.reshape(sqNorms, [n, 1]), tf.reshape(sqNorms, [1, n])), tf.mul(gram, 2)));
    const mask = tf.tensor2d(upperMask(n), [n, n]);
    const logits = tf.mul(sqDist, -t);
    // Entries outside the mask (i >= j) are pushed ~1e9 below the rest so that exp gives exactly 0
    // (and a zero gradient); then shift by the largest pair logit. The shift's own gradient cancels
    // exactly, so no stop-gradient is needed.
    const masked = tf.add(logits, tf.mul(tf.sub(1, mask), -1e9));
    const shift = tf.max(masked);
    const sumExp = tf.sum(tf.exp(tf.sub(masked, shift)));
    return tf.add(tf.sub(tf.log(sumExp), Math.log(pairs)), shift) as Scalar;
  });
}
