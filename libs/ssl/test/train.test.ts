import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '@fedssd/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch } from '../src/augment/index.js';
import { ssdObjective } from '../src/losses/index.js';
import { createModel, type ModelSpec, type SslModel } from '../src/models/index.js';
import { trainLocal, type LocalTrainConfig } from '../src/train/index.js';

// Narrow ResNet-18 on 8x8x3 (channels 4/8/16/32, d = 32): the full structure, tiny cost.
const spec: ModelSpec = { kind: 'resnet18', inputShape: [8, 8, 3], featureDim: 32, width: 1 / 16 };
const shape: [number, number, number] = [8, 8, 3];

function syntheticData(count: number, seed: number) {
  const rng = createRng(seed);
  // Smooth blobs of a few colours so augmentations keep some structure.
  const images = new Float32Array(count * 8 * 8 * 3);
  for (let n = 0; n < count; n += 1) {
    const colour = [rng.next(), rng.next(), rng.next()];
    const cy = rng.uniform(2, 6);
    const cx = rng.uniform(2, 6);
    for (let y = 0; y < 8; y += 1)
      for (let x = 0; x < 8; x += 1) {
        const v = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / 6);
        for (let c = 0; c < 3; c += 1) images[((n * 8 + y) * 8 + x) * 3 + c] = v * (colour[c] ?? 0);
      }
  }
  return { images, count, shape };
}

// No augmentation: both views equal, so the objective is pure uniformity and must improve.
const identity = {
  cropScale: [1, 1],
  cropRatio: [1, 1],
  flipProb: 0,
  jitterProb: 0,
  brightness: 0,
  contrast: 0,
  saturation: 0,
  hue: 0,
  grayscaleProb: 0,
} as const;

const base: LocalTrainConfig = {
  epochs: 1,
  batchSize: 8,
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
  objective: { uniformity: 1 },
  seed: 11,
};

function fixedLoss(model: SslModel, data: ReturnType<typeof syntheticData>): number {
  const rng = createRng(99);
  const v1 = augmentBatch(data.images, data.count, shape, rng, identity);
  const v2 = augmentBatch(data.images, data.count, shape, rng, identity);
  const saved = model.getWeights();
  const loss = tf.tidy(() => {
    const a = model.forward(tf.tensor4d(v1, [data.count, ...shape]), true);
    const b = model.forward(tf.tensor4d(v2, [data.count, ...shape]), true);
    return ssdObjective({ h1: a.h, h2: b.h, zt1: a.zt, zt2: b.zt }, { uniformity: 1 }).total.dataSync()[0] ?? NaN;
  });
  model.setWeights(saved); // undo the running-stat updates of this probe
  return loss;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainLocal', () => {
  it('when training a few epochs, then the objective on fixed views drops and no tensor leaks', async () => {
    const data = syntheticData(16, 1);
    const model = createModel(spec, 3);
    const before = fixedLoss(model, data);
    const tensors = tf.memory().numTensors;
    const result = await trainLocal(model, data, { ...base, epochs: 3, batchSize: 8, lr: 0.02, augment: identity });
    expect(tf.memory().numTensors).toBe(tensors);
    const after = fixedLoss(model, data);
    expect(result.steps).toBe(6);
    expect(result.samples).toBe(48);
    expect(result.skippedBatches).toBe(0);
    expect(Number.isFinite(result.loss.total)).toBe(true);
    expect(result.loss.total).toBeCloseTo(result.loss.align + result.loss.uniformity, 5);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    expect(result.loss.align).toBe(0);
    expect(after).toBeLessThan(before - 0.1);
    model.dispose();
  });

  it('when run twice with the same seed, then the weights are bit-identical; a batch of 1 is skipped', async () => {
    const data = syntheticData(17, 2); // 17 = 2 * 8 + 1: the last batch has one image
    const weights = [];
    for (let run = 0; run < 2; run += 1) {
      const model = createModel(spec, 5);
      const result = await trainLocal(model, data, { ...base, objective: { uniformity: 1, pd: { coeff: 0.1 } } });
      expect(result.skippedBatches).toBe(1);
      expect(result.steps).toBe(2);
      expect(result.loss.pd).toBeGreaterThan(0);
      weights.push(model.getWeights());
      model.dispose();
    }
    const [a, b] = weights;
    a?.forEach((w, i) => expect(w.values).toEqual(b?.[i]?.values));
    const init = createModel(spec, 5);
    const changed = init.getWeights().filter((w, i) => !w.values.every((v, j) => v === a?.[i]?.values[j]));
    // every trainable tensor and every running statistic moved
    expect(changed.length).toBe(a?.length);
    init.dispose();
  });

  it('when the signal aborts, then it rejects with an AbortError between batches and leaks nothing', async () => {
    const data = syntheticData(32, 3);
    const model = createModel(spec, 1);
    const tensors = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: number[] = [];
    const run = trainLocal(
      model,
      data,
      { ...base, epochs: 3 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.step);
          if (seen.length === 2) controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([0, 1]);
    expect(tf.memory().numTensors).toBe(tensors);
    const aborted = new AbortController();
    aborted.abort();
    await expect(trainLocal(model, data, base, { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
    model.dispose();
  });

  it('when config or data are invalid, then the error names the field', async () => {
    const data = syntheticData(4, 4);
    const model = createModel(spec, 1);
    await expect(trainLocal(model, data, { ...base, batchSize: 1 })).rejects.toThrow(/batchSize/);
    await expect(trainLocal(model, data, { ...base, epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(trainLocal(model, data, { ...base, lr: 0 })).rejects.toThrow(/lr/);
    await expect(trainLocal(model, data, { ...base, momentum: 1 })).rejects.toThrow(/momentum/);
    await expect(trainLocal(model, data, base)).rejects.toThrow(/data.count/);
    await expect(trainLocal(model, { ...data, shape: [8, 8, 1] }, { ...base, batchSize: 2 })).rejects.toThrow(/data.shape/);
    await expect(trainLocal(model, { ...data, count: 3 }, { ...base, batchSize: 2 })).rejects.toThrow(/data.images.length/);
    model.dispose();
  });
});
