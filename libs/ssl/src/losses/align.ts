import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertSameShape } from './checks.js';

/**
 * Alignment loss (Wang & Isola, exponent 2): mean_i ||z1_i - z2_i||^2.
 * Inputs are expected to be L2-normalised already (range then [0, 4]).
 */
export function alignLoss(z1: Tensor2D, z2: Tensor2D): Scalar {
  assertSameShape('z1', z1, 'z2', z2);
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(z1, z2)), 1)) as Scalar);
}
