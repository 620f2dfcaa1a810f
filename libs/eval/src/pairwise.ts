import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** Rows of `a` per block; a block's similarity matrix is rows x N_b floats. */
const BLOCK_ROWS = 512;

/**
 * log sum_{i, j} exp(-t ||a_i - b_j||^2) over all pairs (or only j > i when `strictUpper`, for
 * a == b), computed in row blocks so memory stays O(BLOCK_ROWS * N_b). Each block is shifted by
 * its own largest exponent and the blocks are combined in float64, so nothing underflows.
 */
export function logSumExpSqDist(a: Tensor2D, b: Tensor2D, t: number, strictUpper: boolean): number {
  const [na] = a.shape;
  const nb = b.shape[0];
  let total = -Infinity;
  for (let start = 0; start < na; start += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, na - start);
    const stats = tf.tidy(() => {
      const block = tf.slice(a, [start, 0], [rows, -1]);
      const sq = tf.relu(
        tf.sub(
          tf.add(tf.sum(tf.square(block), 1, true), tf.reshape(tf.sum(tf.square(b), 1), [1, nb])),
          tf.mul(tf.matMul(block, b, false, true), 2),
        ),
      );
      let logits = tf.mul(sq, -t);
      if (strictUpper) {
        const cols = tf.reshape(tf.range(0, nb, 1, 'int32'), [1, nb]);
        const keep = tf.greater(cols, tf.reshape(tf.range(start, start + rows, 1, 'int32'), [rows, 1]));
        logits = tf.where(keep, logits, tf.fill([rows, nb], -Infinity));
      }
      const shift = tf.max(logits);
      const safeShift = tf.where(tf.isFinite(shift), shift, tf.zerosLike(shift));
      return tf.stack([shift, tf.sum(tf.exp(tf.sub(logits, safeShift)))]);
    });
    const [shift = -Infinity, sum = 0] = stats.dataSync();
    stats.dispose();
    if (sum > 0 && Number.isFinite(shift)) {
      const blockLog = shift + Math.log(sum);
      const hi = Math.max(total, blockLog);
      total = hi + Math.log(Math.exp(total - hi) + Math.exp(blockLog - hi));
    }
  }
  return total;
}
