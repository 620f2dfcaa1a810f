import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertMatrix, assertPositive } from './checks.js';
import { l2NormalizeRows, stopGradient } from './ops.js';
import type { DsrForm, DsrTarget } from './types.js';

/** Keeps sqrt differentiable when Z already equals its target (gradient of sqrt at 0 is infinite). */
const FROBENIUS_FLOOR = 1e-30;

/**
 * Validates a DSR target against embedding width `d` and returns the diagonal d_k as a plain
 * array (scale on the slice, 1 elsewhere). Built as a constant so no gather enters the tape.
 */
export function dsrDiagonal(target: DsrTarget, d: number): Float32Array {
  assertPositive('dsr.target.scale', target.scale);
  const { basis, slice } = target;
  if (basis.rank !== 2 || basis.shape[0] !== d || basis.shape[1] !== d) {
    throw new RangeError(`dsr.target.basis must be [${d}, ${d}] to match z, got [${basis.shape.join(', ')}]`);
  }
  const diag = new Float32Array(d).fill(1);
  const seen = new Set<number>();
  for (const index of slice) {
    if (!Number.isInteger(index) || index < 0 || index >= d) {
      throw new RangeError(`dsr.target.slice entries must be integers in [0, ${d - 1}], got ${index}`);
    }
    if (seen.has(index)) throw new RangeError(`dsr.target.slice must not repeat index ${index}`);
    seen.add(index);
    diag[index] = target.scale;
  }
  return diag;
}

/**
 * DSR (dimension-scaled regularisation) for one view, docs/METHOD.md §4.
 *
 * - `'code'` (default): P = stopgrad(Z Q D_k Q^T), row-normalised; returns ||Z - P||_F / N.
 * - `'paper'`: Q = I (the basis is ignored), no renormalisation; returns
 *   mean_i ||z_i - stopgrad(z_i * d_k)||^2.
 *
 * @param z - [N, d] L2-normalised projector embeddings (never the encoder output h).
 */
export function dsrLoss(z: Tensor2D, target: DsrTarget, form: DsrForm = 'code'): Scalar {
  assertMatrix('z', z);
  if (form !== 'code' && form !== 'paper') {
    throw new RangeError(`dsr form must be 'code' or 'paper', got ${String(form)}`);
  }
  const [n, d] = z.shape;
  const diagValues = dsrDiagonal(target, d);
  return tf.tidy(() => {
    const diag = tf.tensor2d(diagValues, [1, d]);
    if (form === 'paper') {
      const goal = stopGradient(tf.mul(z, diag));
      return tf.mean(tf.sum(tf.square(tf.sub(z, goal)), 1)) as Scalar;
    }
    // Z Q D_k Q^T: scale the coordinates in the Q basis, then rotate back.
    const scaled = tf.mul(tf.matMul(z, target.basis), diag);
    const goal = l2NormalizeRows(stopGradient(tf.matMul(scaled, target.basis, false, true)));
    const sumSq = tf.sum(tf.square(tf.sub(z, goal)));
    return tf.div(tf.sqrt(tf.maximum(sumSq, FROBENIUS_FLOOR)), n) as Scalar;
  });
}
