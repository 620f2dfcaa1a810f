import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { createRng } from '@fedssd/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { linearProbe } from '../src/index.js';

/** Gaussian clusters around well-separated random centres (unnormalised, non-negative shift like ReLU features). */
function clusters(seed: number, n: number, d: number, classes: number, spread: number): { x: Tensor2D; labels: number[] } {
  const rng = createRng(seed);
  const centreRng = createRng(999);
  const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => 3 * centreRng.normal()));
  const labels = Array.from({ length: n }, () => rng.int(classes));
  const values = labels.flatMap((label) => centres[label]!.map((c) => 2 + c + spread * rng.normal()));
  return { x: tf.tensor2d(values, [n, d]), labels };
}

let before = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('linearProbe', () => {
  it('when classes are linearly separable, then test accuracy is high', () => {
    const train = clusters(1, 600, 16, 5, 1);
    const test = clusters(2, 200, 16, 5, 1);
    const out = linearProbe({
      trainFeatures: train.x,
      trainLabels: train.labels,
      testFeatures: test.x,
      testLabels: test.labels,
      classes: 5,
      epochs: 10,
      batchSize: 50,
      lr: 2e-2,
      seed: 3,
    });
    expect(out.trainAccuracy).toBeGreaterThan(0.97);
    expect(out.accuracy).toBeGreaterThan(0.95);
    tf.dispose([train.x, test.x]);
  });

  it('when labels are random, then test accuracy stays near chance (1/4)', () => {
    const rng = createRng(5);
    const x = tf.tensor2d(
      Array.from({ length: 800 * 8 }, () => rng.normal()),
      [800, 8],
    );
    const labels = Array.from({ length: 800 }, () => rng.int(4));
    const trainX = tf.slice(x, [0, 0], [400, -1]) as Tensor2D;
    const testX = tf.slice(x, [400, 0], [400, -1]) as Tensor2D;
    const out = linearProbe({
      trainFeatures: trainX,
      trainLabels: labels.slice(0, 400),
      testFeatures: testX,
      testLabels: labels.slice(400),
      classes: 4,
      epochs: 10,
      batchSize: 50,
      lr: 1e-2,
      seed: 1,
    });
    // 400 test samples: the chance-level standard deviation is ~0.022.
    expect(out.accuracy).toBeGreaterThan(0.15);
    expect(out.accuracy).toBeLessThan(0.35);
    tf.dispose([x, trainX, testX]);
  });

  it('when run twice with the same seed, then results are identical; another seed may differ', () => {
    const train = clusters(7, 200, 6, 3, 4);
    const test = clusters(8, 100, 6, 3, 4);
    const run = (seed: number) =>
      linearProbe({
        trainFeatures: train.x,
        trainLabels: train.labels,
        testFeatures: test.x,
        testLabels: test.labels,
        classes: 3,
        epochs: 3,
        batchSize: 32,
        seed,
      });
    expect(run(11)).toEqual(run(11));
    tf.dispose([train.x, test.x]);
  });

  it('when options are out of range, then a RangeError names the field', () => {
    const x = tf.zeros([4, 3]) as Tensor2D;
    const wide = tf.zeros([4, 5]) as Tensor2D;
    const base = { trainFeatures: x, trainLabels: [0, 1, 0, 1], testFeatures: x, testLabels: [0, 1, 0, 1], classes: 2, epochs: 1, seed: 1 };
    expect(() => linearProbe({ ...base, classes: 1 })).toThrow(/classes must be an integer in \[2,/);
    expect(() => linearProbe({ ...base, trainLabels: [0, 1, 2, 1] })).toThrow(
      /trainLabels\[2\] must be an integer class in \[0, 1\], got 2/,
    );
    expect(() => linearProbe({ ...base, testLabels: [0] })).toThrow(/testLabels must have one label per row \(4\), got 1/);
    expect(() => linearProbe({ ...base, testFeatures: wide })).toThrow(/testFeatures have d = 5/);
    expect(() => linearProbe({ ...base, lr: 0 })).toThrow(/lr must be a finite number > 0/);
    tf.dispose([x, wide]);
  });
});
