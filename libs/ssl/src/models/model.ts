/**
 * The SSL model: encoder f and projector g with stable parameter names, built in a factory
 * (never at import time) so every instance is independent and weight exchange can rely on
 * names alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Weights } from '@fedssd/tensor';
import { batchNorm, linear } from './layers.js';
import { ParamStore } from './param-store.js';
import { buildResnet18Encoder } from './resnet18.js';
import { buildSmallEncoder } from './small-cnn.js';
import { isSmallKind, resolveSpec, type ModelKind, type ModelSpec } from './spec.js';

export interface SslModel {
  readonly spec: ModelSpec;
  /** Trainable variables, sorted by stable name. */
  readonly trainable: readonly tf.Variable[];
  /** Stable names of `trainable`, same order. */
  readonly trainableNames: readonly string[];
  /**
   * Encoder output h and projector output zt (both unnormalised). training=true uses batch
   * statistics and updates BN running mean/var (PyTorch semantics: momentum 0.1, unbiased
   * running variance, eps 1e-5). The caller disposes both outputs.
   */
  forward(x: tf.Tensor4D, training: boolean): { h: tf.Tensor2D; zt: tf.Tensor2D };
  /** Inference-mode encoder output h (running statistics, no state change), for evaluation. */
  encode(x: tf.Tensor4D): tf.Tensor2D;
  /** Full state (trainable + BN running statistics), sorted by name. */
  getWeights(): Weights;
  /** Replaces the full state; names and shapes must match exactly, nothing is written otherwise. */
  setWeights(weights: Weights): void;
  dispose(): void;
}

/** Hidden width of the projector: 256 for 'small' (d 128), 4 d for resnet18 (2048 at d 512). */
function projectorHidden(spec: ModelSpec): number {
  return isSmallKind(spec.kind) ? 256 : 4 * spec.featureDim;
}

/**
 * Builds a model with seeded initial weights (same seed, same spec: identical weights on every
 * backend).
 * @param spec a full spec or a kind with its default spec ('small': 28x28x1, d 128;
 *   'resnet18': 32x32x3, d 512).
 * @param seed 32-bit integer seed for the initial weights.
 */
export function createModel(spec: ModelSpec | ModelKind, seed: number): SslModel {
  const resolved = resolveSpec(spec);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const [height, width, channels] = resolved.inputShape;
  const d = resolved.featureDim;
  const store = new ParamStore();
  const encoder =
    resolved.kind === 'resnet18'
      ? buildResnet18Encoder(store, seed, channels, resolved.width ?? 1)
      : buildSmallEncoder(store, seed, channels, resolved.kind === 'small');
  const hidden = projectorHidden(resolved);
  const fc1 = linear(store, seed, 'projector.fc1', d, hidden);
  const bnRelu = batchNorm<tf.Tensor2D>(store, 'projector.bn', hidden, true);
  const fc2 = linear(store, seed, 'projector.fc2', hidden, d);
  const trainableEntries = store.entries().filter((e) => e.trainable);
  let disposed = false;

  const checkInput = (x: tf.Tensor4D, what: string): void => {
    if (disposed) throw new Error(`${what}: model is disposed`);
    const [, h, w, c] = x.shape;
    if (x.rank !== 4 || h !== height || w !== width || c !== channels) {
      throw new RangeError(`${what}: input must be [n, ${height}, ${width}, ${channels}], got [${x.shape.join(', ')}]`);
    }
  };

  return {
    spec: resolved,
    trainable: trainableEntries.map((e) => e.variable),
    trainableNames: trainableEntries.map((e) => e.name),
    forward(x, training) {
      checkInput(x, 'forward');
      if (training && x.shape[0] < 2) throw new RangeError(`forward: training needs a batch of at least 2, got ${x.shape[0]}`);
      return tf.tidy(() => {
        const h = encoder(x, training);
        const zt = fc2(bnRelu(fc1(h, training), training), training);
        return { h, zt };
      });
    },
    encode(x) {
      checkInput(x, 'encode');
      return tf.tidy(() => encoder(x, false));
    },
    getWeights: () => store.read(),
    setWeights: (weights) => store.write(weights),
    dispose() {
      if (disposed) return;
      disposed = true;
      store.dispose();
    },
  };
}
