/**
 * One round of local self-supervised training (docs/METHOD.md §6): seeded shuffles,
 * two independent augmentations per image, the SSD objective, and PyTorch-style SGD with fresh
 * momentum. Cancellable between batches; yields to the event loop after every step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@fedssd/tensor';
import { augmentBatch, defaultPolicyFor } from '../augment/index.js';
import { ssdObjective } from '../losses/index.js';
import type { SslModel } from '../models/index.js';
import {
  validateLocalTrain,
  type LocalData,
  type LocalLossSummary,
  type LocalTrainConfig,
  type LocalTrainOptions,
  type LocalTrainResult,
} from './config.js';
import { createSgd } from './sgd.js';

function abortError(): Error {
  const err = new Error('trainLocal: aborted');
  err.name = 'AbortError';
  return err;
}

// A macrotask (not a microtask) so timers and I/O callbacks, e.g. heartbeats, get to run.
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

function copyBatch(data: LocalData, indices: readonly number[]): Float32Array {
  const per = data.shape[0] * data.shape[1] * data.shape[2];
  const out = new Float32Array(indices.length * per);
  indices.forEach((src, i) => out.set(data.images.subarray(src * per, (src + 1) * per), i * per));
  return out;
}

/**
 * Trains `model` in place on `data` and reports mean losses and throughput.
 * @throws RangeError naming the field for invalid config or data; an error named 'AbortError'
 *   when `opts.signal` aborts (the model keeps the steps already taken).
 */
export async function trainLocal(
  model: SslModel,
  data: LocalData,
  config: LocalTrainConfig,
  opts: LocalTrainOptions = {},
): Promise<LocalTrainResult> {
  validateLocalTrain(model, data, config);
  const { signal, onProgress } = opts;
  if (signal?.aborted) throw abortError();
  const [h, w, c] = data.shape;
  const policy = config.augment ?? defaultPolicyFor(c);
  const root = createRng(config.seed);
  const shuffleRng = root.fork('shuffle');
  const augmentRng = root.fork('augment');
  const stepsPerEpoch = Math.ceil(data.count / config.batchSize);
  const { objective } = config;
  const sums: LocalLossSummary = { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 };
  let steps = 0;
  let samples = 0;
  let skippedBatches = 0;
  const sgd = createSgd(model.trainable, config);
  const started = performance.now();
  try {
    for (let epoch = 0; epoch < config.epochs; epoch += 1) {
      const order = shuffleRng.shuffle(Array.from({ length: data.count }, (_, i) => i));
      for (let b = 0; b < stepsPerEpoch; b += 1) {
        if (signal?.aborted) throw abortError();
        const indices = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
        if (indices.length < 2) {
          skippedBatches += 1;
          continue;
        }
        const n = indices.length;
        const batch = copyBatch(data, indices);
        const view1 = augmentBatch(batch, n, data.shape, augmentRng, policy);
        const view2 = augmentBatch(batch, n, data.shape, augmentRng, policy);
        const x1 = tf.tensor4d(view1, [n, h, w, c]);
        const x2 = tf.tensor4d(view2, [n, h, w, c]);
        let stats: tf.Tensor1D | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const a = model.forward(x1, true);
          const bView = model.forward(x2, true);
          const losses = ssdObjective({ h1: a.h, h2: bView.h, zt1: a.zt, zt2: bView.zt }, objective);
          // Kept past the gradient scope so all five terms come back in one read.
          stats = tf.keep(tf.stack([losses.total, losses.align, losses.uniformity, losses.dsr, losses.pd]) as tf.Tensor1D);
          return losses.total;
        }, model.trainable as tf.Variable[]);
        sgd.step(grads);
        tf.dispose([value, x1, x2]);
        tf.dispose(grads);
        const read = stats as tf.Tensor1D | undefined;
        if (!read) throw new Error('trainLocal: loss terms were not produced');
        const values = await read.data();
        read.dispose();
        const [total = NaN, align = NaN, uniformity = NaN, dsr = NaN, pd = NaN] = values;
        if (!Number.isFinite(total)) throw new Error(`trainLocal: loss became non-finite (${total}) at epoch ${epoch} step ${b}`);
        sums.total += total;
        sums.align += align;
        sums.uniformity += uniformity;
        sums.dsr += dsr;
        sums.pd += pd;
        steps += 1;
        samples += n;
        onProgress?.({ epoch, step: b, stepsPerEpoch, loss: total });
        await yieldToEventLoop();
      }
    }
  } finally {
    sgd.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const mean = (v: number): number => (steps > 0 ? v / steps : NaN);
  return {
    samples,
    steps,
    skippedBatches,
    loss: { total: mean(sums.total), align: mean(sums.align), uniformity: mean(sums.uniformity), dsr: mean(sums.dsr), pd: mean(sums.pd) },
    seconds,
    samplesPerSecond: seconds > 0 ? samples / seconds : 0,
  };
}
