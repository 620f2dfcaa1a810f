import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { effectiveRank, interClientUniformity, knnClassify, uniformityMetric } from '../src/index.js';

interface EvalFixture {
  uniformity: { n: number; d: number; t: number; features: number[]; value: number }[];
  effectiveRank: { shape: [number, number]; matrix: number[]; value: number }[];
  knn: {
    d: number;
    k: number;
    temperature: number;
    classes: number;
    bank: number[];
    bankLabels: number[];
    queries: number[];
    predictions: number[];
  }[];
  interClient: { d: number; t: number; clients: number[][]; value: number }[];
}

// Written by tools/reference/ssd_reference.py (PyTorch, float64).
const fixture = JSON.parse(readFileSync(new URL('./fixtures/eval-reference.json', import.meta.url), 'utf8')) as EvalFixture;

const close = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(expected));
};

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

describe('metrics against the PyTorch reference', () => {
  it('when given features, then uniformityMetric equals -log mean exp(-t pdist^2) of the normalised rows', () => {
    for (const c of fixture.uniformity) {
      const x = tf.tensor2d(c.features, [c.n, c.d]);
      close(uniformityMetric(x, c.t), c.value);
      x.dispose();
    }
  });

  it('when given wide, tall, low-rank and anisotropic matrices, then effectiveRank matches svdvals', () => {
    expect(fixture.effectiveRank.map((c) => c.shape[0] < c.shape[1])).toContain(true);
    for (const c of fixture.effectiveRank) {
      const x = tf.tensor2d(c.matrix, c.shape);
      close(effectiveRank(x), c.value);
      x.dispose();
    }
  });

  it('when given a bank and queries, then knnClassify predicts what the classic kNN monitor predicts', () => {
    for (const c of fixture.knn) {
      const bank = tf.tensor2d(c.bank, [c.bankLabels.length, c.d]);
      const queries = tf.tensor2d(c.queries, [c.predictions.length, c.d]);
      // batchSize 3 forces several query chunks, including a ragged last one.
      const predicted = knnClassify({
        bank,
        bankLabels: c.bankLabels,
        queries,
        k: c.k,
        temperature: c.temperature,
        classes: c.classes,
        batchSize: 3,
      });
      expect(predicted).toEqual(c.predictions);
      tf.dispose([bank, queries]);
    }
  });

  it('when given clients of unequal size, then interClientUniformity matches the pairwise reference', () => {
    for (const c of fixture.interClient) {
      const clients = c.clients.map((values) => tf.tensor2d(values, [values.length / c.d, c.d]));
      close(interClientUniformity(clients, c.t), c.value);
      tf.dispose(clients);
    }
  });
});
