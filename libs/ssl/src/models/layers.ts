/**
 * Functional layers over a ParamStore: each factory registers its parameters under stable
 * names and returns a forward function. Plain ops only (no gather) so every gradient exists
 * on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from './batch-norm-train.js';
import { conv2dEager } from './eager-ops.js';
import { filled, kaimingNormalConv, linearUniform } from './init.js';
import type { ParamStore } from './param-store.js';

/** PyTorch BatchNorm defaults. */
const BN_MOMENTUM = 0.1;
const BN_EPS = 1e-5;

export type Forward<T extends tf.Tensor> = (x: T, training: boolean) => T;

/** A conv2d layer with what the fused inference op (`convBnInference`) needs to run it itself. */
export interface ConvLayer extends Forward<tf.Tensor4D> {
  /** Filter [size, size, cin, cout]. */
  readonly filter: tf.Tensor4D;
  readonly stride: 1 | 2;
  /** Symmetric zero padding on each side of H and W (size // 2). */
  readonly padding: number;
}

/** A batch-norm layer with its parameters, for the fused inference op. */
export interface BatchNormLayer<T extends tf.Tensor> extends Forward<T> {
  readonly gamma: tf.Tensor1D;
  readonly beta: tf.Tensor1D;
  readonly runningMean: tf.Tensor1D;
  readonly runningVar: tf.Tensor1D;
  readonly epsilon: number;
  /** ReLU follows the normalisation. */
  readonly relu: boolean;
}

/**
 * 2-D convolution without bias (a BatchNorm always follows). Padding follows PyTorch's
 * symmetric `padding = k // 2`: TF's 'same' pads asymmetrically for stride 2, which would
 * sample different pixels than the reference, so strided 3x3 convs pass the numeric pad k // 2.
 * `inputGrad` false marks a layer fed by the data, whose input gradient is never used.
 */
export function conv2d(
  store: ParamStore,
  seed: number,
  name: string,
  size: number,
  cin: number,
  cout: number,
  stride: 1 | 2,
  inputGrad = true,
): ConvLayer {
  const shape = [size, size, cin, cout] as const;
  const kernel = store.add(`${name}.kernel`, shape, kaimingNormalConv(seed, `${name}.kernel`, shape), true);
  const half = Math.floor(size / 2);
  const filter = kernel as tf.Tensor4D;
  // The eager-releasing node only matters under a gradient tape; inference uses tf.conv2d.
  const conv = (input: tf.Tensor4D, pad: 'same' | 'valid' | number, training: boolean): tf.Tensor4D =>
    training ? conv2dEager(input, filter, stride, pad, inputGrad) : tf.conv2d(input, filter, stride, pad);
  // A numeric pad is the symmetric one, passed to the conv kernel itself: an explicit tf.pad
  // before a 'valid' conv computed the same but cost a padded copy and its Slice gradient.
  const forward: Forward<tf.Tensor4D> = (x, training) => conv(x, half === 0 ? 'valid' : stride === 1 ? 'same' : half, training);
  return Object.assign(forward, { filter, stride, padding: half });
}

/**
 * BatchNorm over the last axis, for [N, C] or [N, H, W, C] inputs, PyTorch semantics:
 * training normalises with batch statistics (biased variance) and moves the running
 * estimates by momentum 0.1 using the unbiased variance; inference uses the running estimates.
 * With `relu` the layer is BN followed by ReLU; in training both are one tape node
 * (`batchNormTrain`), which keeps far fewer activations than moments + batchNorm + relu.
 * tf.batchNorm is always given offset and scale (without them its backprop crashes on wasm).
 */
export function batchNorm<T extends tf.Tensor2D | tf.Tensor4D>(
  store: ParamStore,
  name: string,
  channels: number,
  relu = false,
): BatchNormLayer<T> {
  const gamma = store.add(`${name}.gamma`, [channels], filled(channels, 1), true);
  const beta = store.add(`${name}.beta`, [channels], filled(channels, 0), true);
  const runningMean = store.add(`${name}.runningMean`, [channels], filled(channels, 0), false);
  const runningVar = store.add(`${name}.runningVar`, [channels], filled(channels, 1), false);
  const forward: Forward<T> = (x, training) => {
    if (!training) {
      const y = tf.batchNorm(x, runningMean, runningVar, beta, gamma, BN_EPS) as T;
      return relu ? tf.relu(y) : y;
    }
    const { y, mean, variance } = batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, { epsilon: BN_EPS, relu });
    const n = x.size / channels;
    // Running estimates are state: they never reach the loss, so the tape ignores them.
    const nextMean = tf.tidy(() => tf.add(tf.mul(runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    const unbiased = n > 1 ? n / (n - 1) : 1;
    const nextVar = tf.tidy(() => tf.add(tf.mul(runningVar, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM * unbiased)));
    runningMean.assign(nextMean);
    runningVar.assign(nextVar);
    tf.dispose([nextMean, nextVar, mean, variance]);
    return y;
  };
  const vector = (v: tf.Variable): tf.Tensor1D => v as tf.Tensor1D;
  return Object.assign(forward, {
    gamma: vector(gamma),
    beta: vector(beta),
    runningMean: vector(runningMean),
    runningVar: vector(runningVar),
    epsilon: BN_EPS,
    relu,
  });
}

/** Fully connected layer y = x W + b, W of shape [in, out], PyTorch-default uniform init. */
export function linear(store: ParamStore, seed: number, name: string, fanIn: number, fanOut: number): Forward<tf.Tensor2D> {
  const kernel = store.add(`${name}.kernel`, [fanIn, fanOut], linearUniform(seed, `${name}.kernel`, fanIn * fanOut, fanIn), true);
  const bias = store.add(`${name}.bias`, [fanOut], linearUniform(seed, `${name}.bias`, fanOut, fanIn), true);
  return (x) => tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias);
}

/** Global average pooling [N, H, W, C] -> [N, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]);
}
