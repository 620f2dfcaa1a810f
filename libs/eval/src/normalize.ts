import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** Row-wise L2 normalisation, x / max(||x||, 1e-12) (F.normalize), so zero rows stay zero. */
export function l2NormalizeRows(x: Tensor2D): Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-12)));
}
