/**
 * Training-mode batch norm (optionally followed by ReLU) as ONE gradient-tape node.
 *
 * Built from tf.moments + tf.batchNorm + tf.relu, the tape kept about five activation-sized
 * tensors per layer (x - mean, its square, the normalised output, the ReLU output, ...) plus
 * a gradient for each, and the backward ran ~15 elementwise ops. Here `tf.customGrad` records
 * one node that saves only x and (with ReLU) the output, which the next layer saves anyway.
 *
 * Forward and backward are ordinary TF.js ops, so this runs on every backend. When a backend
 * has kernels registered under {@link BATCH_NORM_TRAIN_KERNEL} and
 * {@link BATCH_NORM_TRAIN_GRAD_KERNEL} (`@fedssd/native` does for 'cpu'), those one-pass
 * kernels are used instead. Their contract:
 * - `FedssdBatchNormTrain`: inputs `{ x, scale, offset }` (x float32 [..., C], scale/offset [C]),
 *   attrs `{ epsilon, relu }`; outputs `[y, mean, variance]`, statistics over all axes but the
 *   last, variance biased (divided by the number of rows).
 * - `FedssdBatchNormTrainGrad`: inputs `{ dy, x, mean, variance, scale, y }`, same attrs; outputs
 *   `[dx, dscale, doffset]`, the full gradient (through the batch statistics). `y` is the
 *   forward output, read only for the ReLU mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import { releasing } from './eager-ops.js';

/** Kernel name of the optional one-pass forward (see the module comment for its contract). */
export const BATCH_NORM_TRAIN_KERNEL = 'FedssdBatchNormTrain';
/** Kernel name of the optional one-pass gradient. */
export const BATCH_NORM_TRAIN_GRAD_KERNEL = 'FedssdBatchNormTrainGrad';

/** Options of {@link batchNormTrain}. */
export interface BatchNormTrainOptions {
  /** Added to the variance before the square root (PyTorch's default is 1e-5). */
  readonly epsilon: number;
  /** Apply ReLU to the output inside the same node. */
  readonly relu: boolean;
}

/** Output and the batch statistics it used. */
export interface BatchNormTrainResult<T extends tf.Tensor> {
  /** Normalised (and, with `relu`, rectified) output; on the gradient tape. */
  readonly y: T;
  /** Per-channel batch mean, off the tape; the caller disposes it. */
  readonly mean: tf.Tensor1D;
  /** Per-channel biased batch variance, off the tape; the caller disposes it. */
  readonly variance: tf.Tensor1D;
}

const hasKernel = (name: string): boolean => tf.getKernel(name, tf.getBackend()) !== undefined;

function forwardStats(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, opts: BatchNormTrainOptions): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (hasKernel(BATCH_NORM_TRAIN_KERNEL)) {
    const attrs = { epsilon: opts.epsilon, relu: opts.relu };
    return tf.engine().runKernel<tf.Tensor[]>(BATCH_NORM_TRAIN_KERNEL, { x, scale, offset }, attrs) as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const normalised = tf.batchNorm(x, mean, variance, offset, scale, opts.epsilon);
  return [opts.relu ? tf.relu(normalised) : normalised, mean, variance];
}

/** Gradient w.r.t. x, scale and offset; g is dy with the ReLU mask applied. */
function gradients(dy: tf.Tensor, saved: tf.Tensor[], opts: BatchNormTrainOptions): tf.Tensor[] {
  const [x, mean, variance, scale, saved4] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
  // Without ReLU the output is not saved (it would pin an activation the tape otherwise frees).
  const y = saved4 ?? x;
  if (hasKernel(BATCH_NORM_TRAIN_GRAD_KERNEL)) {
    const attrs = { epsilon: opts.epsilon, relu: opts.relu };
    return tf.engine().runKernel<tf.Tensor[]>(BATCH_NORM_TRAIN_GRAD_KERNEL, { dy, x, mean, variance, scale, y }, attrs);
  }
  // Gradients run in the caller's 'backward' scope, which lives until all of backprop ends:
  // tidy so only the three results outlive this call.
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const rows = x.size / (x.shape[x.rank - 1] as number);
    // relu'(0) = 0, as TF.js's own Relu gradient (step(0) = 0); y > 0 exactly where the input of the ReLU is.
    const g = opts.relu ? tf.mul(dy, tf.step(y)) : dy;
    const invStd = tf.rsqrt(tf.add(variance, opts.epsilon));
    const xHat = tf.mul(tf.sub(x, mean), invStd);
    const dOffset = tf.sum(g, axes);
    const dScale = tf.sum(tf.mul(g, xHat), axes);
    // dx = scale * invStd * (g - (dOffset + xHat * dScale) / rows)
    const centred = tf.sub(g, tf.div(tf.add(tf.mul(xHat, dScale), dOffset), rows));
    return [tf.mul(centred, tf.mul(scale, invStd)), dScale, dOffset];
  });
}

/**
 * Batch norm over the last axis with batch statistics (PyTorch training semantics: biased
 * variance for normalising), one gradient-tape node with gradients for x, scale and offset.
 * Running estimates are the caller's business (it gets the statistics back). Its gradient
 * releases dy and its saved tensors early, with the limits stated in eager-ops.ts.
 * @param x float32 [N, C] or [N, H, W, C] with N * H * W >= 2.
 * @param scale gamma, [C]. @param offset beta, [C].
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  opts: BatchNormTrainOptions,
): BatchNormTrainResult<T> {
  let stats: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const op = tf.customGrad((...args: unknown[]) => {
    const [xIn, scaleIn, offsetIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, variance] = forwardStats(xIn, scaleIn, offsetIn, opts);
    save(opts.relu ? [xIn, mean, variance, scaleIn, y] : [xIn, mean, variance, scaleIn]);
    // The forward runs inside a scope that disposes everything but y: keep the statistics.
    stats = [tf.keep(mean) as tf.Tensor1D, tf.keep(variance) as tf.Tensor1D];
    // Releases dy and the saved tensors once the gradient is computed (see eager-ops.ts).
    return { value: y, gradFunc: releasing((dy, saved) => gradients(dy, saved, opts)) };
  });
  const y = op(x, scale, offset) as T;
  if (!stats) throw new Error('batchNormTrain: forward produced no statistics');
  return { y, mean: stats[0], variance: stats[1] };
}
