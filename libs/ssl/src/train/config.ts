/** Local training configuration, result and validation. */
import type { AugmentPolicy } from '../augment/index.js';
import type { DsrForm, DsrOn, DsrTarget } from '../losses/index.js';
import type { SslModel } from '../models/index.js';

/** Loss weights of the SSD objective (docs/METHOD.md §2); omit dsr/pd for the FedAlignUniform baseline. */
export interface LocalObjective {
  /** beta, weight of L_uniform (paper 1). */
  readonly uniformity: number;
  /** gamma (paper 1) and this client's DSR target. */
  readonly dsr?: { readonly coeff: number; readonly target: DsrTarget; readonly form?: DsrForm; readonly on?: DsrOn };
  /** delta (paper 0.1) and temperature tau (default 0.5). */
  readonly pd?: { readonly coeff: number; readonly temperature?: number };
}

/** One round of local SGD on a client's shard. */
export interface LocalTrainConfig {
  /** Passes over the local data (paper 5). Integer >= 1. */
  readonly epochs: number;
  /** Images per step (paper 128), integer >= 2; a last batch of size 1 is skipped. */
  readonly batchSize: number;
  /** SGD learning rate (paper 0.1, constant). */
  readonly lr: number;
  /** SGD momentum in [0, 1) (paper 0.9); buffers start fresh every call. */
  readonly momentum: number;
  /** L2 weight decay added to the gradient (paper 1e-4), applied to every trainable tensor. */
  readonly weightDecay: number;
  readonly objective: LocalObjective;
  /** Augmentation policy; default by channel count ('grayscale28' for 1, 'cifar' for 3). */
  readonly augment?: AugmentPolicy;
  /** Seeds the epoch shuffles and the augmentations. */
  readonly seed: number;
}

/** Unlabelled local images, NHWC float32 in [0, 1]. */
export interface LocalData {
  readonly images: Float32Array;
  readonly count: number;
  readonly shape: readonly [number, number, number];
}

export interface LocalLossSummary {
  total: number;
  align: number;
  uniformity: number;
  dsr: number;
  pd: number;
}

export interface LocalTrainResult {
  /** Images seen in trained batches, summed over epochs. */
  readonly samples: number;
  /** Optimiser steps taken. */
  readonly steps: number;
  /** Batches of size 1 that were skipped (BatchNorm needs >= 2). */
  readonly skippedBatches: number;
  /** Unweighted terms and the weighted total, each averaged over steps. */
  readonly loss: LocalLossSummary;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface LocalTrainOptions {
  /** Checked between batches; aborting rejects with an error named 'AbortError'. */
  readonly signal?: AbortSignal;
  /** Called after every step with that step's total loss. */
  readonly onProgress?: (p: { epoch: number; step: number; stepsPerEpoch: number; loss: number }) => void;
}

function fail(field: string, rule: string, value: unknown): never {
  throw new RangeError(`trainLocal: ${field} must be ${rule}, got ${String(value)}`);
}

/** Throws a RangeError naming the first invalid field. */
export function validateLocalTrain(model: SslModel, data: LocalData, config: LocalTrainConfig): void {
  if (!Number.isInteger(config.epochs) || config.epochs < 1) fail('config.epochs', 'an integer >= 1', config.epochs);
  if (!Number.isInteger(config.batchSize) || config.batchSize < 2) fail('config.batchSize', 'an integer >= 2', config.batchSize);
  if (!(Number.isFinite(config.lr) && config.lr > 0)) fail('config.lr', 'a finite number > 0', config.lr);
  if (!(config.momentum >= 0 && config.momentum < 1)) fail('config.momentum', 'in [0, 1)', config.momentum);
  if (!(Number.isFinite(config.weightDecay) && config.weightDecay >= 0))
    fail('config.weightDecay', 'a finite number >= 0', config.weightDecay);
  if (!Number.isInteger(config.seed)) fail('config.seed', 'an integer', config.seed);
  const obj = config.objective;
  if (!obj || !(Number.isFinite(obj.uniformity) && obj.uniformity >= 0))
    fail('config.objective.uniformity', 'a finite number >= 0', obj?.uniformity);
  if (obj.dsr && !(Number.isFinite(obj.dsr.coeff) && obj.dsr.coeff >= 0))
    fail('config.objective.dsr.coeff', 'a finite number >= 0', obj.dsr.coeff);
  if (obj.pd && !(Number.isFinite(obj.pd.coeff) && obj.pd.coeff >= 0))
    fail('config.objective.pd.coeff', 'a finite number >= 0', obj.pd.coeff);
  const [h, w, c] = model.spec.inputShape;
  if (data.shape.length !== 3 || data.shape[0] !== h || data.shape[1] !== w || data.shape[2] !== c) {
    fail('data.shape', `the model input shape [${h}, ${w}, ${c}]`, `[${data.shape.join(', ')}]`);
  }
  if (!Number.isInteger(data.count) || data.count < config.batchSize)
    fail('data.count', `an integer >= batchSize (${config.batchSize})`, data.count);
  if (data.images.length !== data.count * h * w * c)
    fail('data.images.length', `count * h * w * c = ${data.count * h * w * c}`, data.images.length);
}
