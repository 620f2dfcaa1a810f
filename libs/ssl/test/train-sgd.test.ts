import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSgd } from '../src/train/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createSgd', () => {
  it('when stepping twice, then it follows PyTorch SGD (g += wd w; buf = m buf + g; w -= lr buf)', () => {
    const before = tf.memory().numTensors;
    const v = tf.tidy(() => tf.variable(tf.tensor1d([1, -2])));
    const sgd = createSgd([v], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    const g1 = tf.tensor1d([0.5, 0.25]);
    sgd.step({ [v.name]: g1 });
    // step 1: g = [0.51, 0.23]; buf = g; w = [1 - 0.051, -2 - 0.023]
    const w1 = [1 - 0.1 * 0.51, -2 - 0.1 * 0.23];
    Array.from(v.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(w1[i] ?? NaN, 6));
    const g2 = tf.tensor1d([-1, 0]);
    sgd.step({ [v.name]: g2 });
    const gg = [-1 + 0.01 * (w1[0] ?? 0), 0.01 * (w1[1] ?? 0)];
    const buf = [0.9 * 0.51 + (gg[0] ?? 0), 0.9 * 0.23 + (gg[1] ?? 0)];
    const w2 = [(w1[0] ?? 0) - 0.1 * (buf[0] ?? 0), (w1[1] ?? 0) - 0.1 * (buf[1] ?? 0)];
    Array.from(v.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(w2[i] ?? NaN, 6));
    expect(() => sgd.step({})).toThrow(/no gradient/);
    sgd.dispose();
    tf.dispose([g1, g2, v]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
