import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertPositive, assertSameShape } from './checks.js';

/**
 * Projector distillation (PD) for one view, docs/METHOD.md §5: per sample a softmax over the d
 * coordinates, teacher p = softmax(zt / tau), student q = softmax(h / tau), returns
 * mean_i KL(p_i || q_i) = mean_i sum_j p_ij (log p_ij - log q_ij) (>= 0, in nats).
 *
 * No stop-gradient on the teacher: gradients reach both h and zt, as in the released code.
 *
 * @param h - [N, d] unnormalised encoder output (student).
 * @param zt - [N, d] unnormalised projector output (teacher); dim(h) must equal dim(zt).
 * @param temperature - tau > 0 (default 0.5).
 */
export function distillationLoss(h: Tensor2D, zt: Tensor2D, temperature = 0.5): Scalar {
  assertSameShape('h', h, 'zt', zt);
  assertPositive('pd.temperature', temperature);
  return tf.tidy(() => {
    const logP = tf.logSoftmax(tf.div(zt, temperature));
    const logQ = tf.logSoftmax(tf.div(h, temperature));
    const perSample = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1);
    return tf.mean(perSample) as Scalar;
  });
}
