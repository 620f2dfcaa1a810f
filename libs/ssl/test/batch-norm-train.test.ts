import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain } from '../src/models/index.js';
import { itMatchesCompositeForEveryCase, runBn } from './fixtures/batch-norm-cases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batchNormTrain on the cpu backend', () => {
  itMatchesCompositeForEveryCase();

  it('when the gradient is wrong by a sign, then the comparison notices (the check can fail)', () => {
    const f = runBn({ shape: [4, 3, 3, 8], relu: true }, 'fused');
    const flipped = f.dx.map((v) => -v);
    const r = runBn({ shape: [4, 3, 3, 8], relu: true }, 'composite');
    expect(Math.max(...r.dx.map((v, i) => Math.abs(v - (flipped[i] as number))))).toBeGreaterThan(1e-3);
  });

  it('when called, then mean and biased variance come back off the tape and nothing leaks', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([1, 10, 3, 20, 5, 60], [3, 2]);
    const gamma = tf.ones([2]) as tf.Tensor1D;
    const beta = tf.zeros([2]) as tf.Tensor1D;
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, { epsilon: 1e-5, relu: false });
    expect(Array.from(mean.dataSync())).toEqual([3, 30]);
    // biased: ((1-3)^2 + 0 + (5-3)^2) / 3 = 8/3
    expect(variance.dataSync()[0]).toBeCloseTo(8 / 3, 5);
    expect(variance.dataSync()[1]).toBeCloseTo(1400 / 3, 3);
    tf.dispose([x, gamma, beta, y, mean, variance]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
