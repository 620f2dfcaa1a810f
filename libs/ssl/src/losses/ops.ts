import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Same floor as torch.nn.functional.normalize, so zero rows map to zero instead of NaN. */
const NORM_EPS = 1e-12;

/** Row-wise L2 normalisation: x / max(||x||, 1e-12), like F.normalize(x, dim=1). */
export function l2NormalizeRows<T extends Tensor>(x: T): T {
  return tf.tidy(() => {
    const norms = tf.sqrt(tf.sum(tf.square(x), 1, true));
    return tf.div(x, tf.maximum(norms, NORM_EPS)) as T;
  });
}

/**
 * Identity in the forward pass, zero gradient in the backward pass (torch's `.detach()`).
 * TF.js has no stop-gradient op, so a custom gradient supplies the zeros.
 */
export function stopGradient<T extends Tensor>(x: T): T {
  const detach = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as Tensor;
    return { value: tf.clone(input), gradFunc: (dy: Tensor) => tf.zerosLike(dy) };
  });
  return detach(x) as T;
}
