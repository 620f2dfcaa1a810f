import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { createRng } from '@fedssd/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  effectiveRank,
  interClientUniformity,
  knnAccuracy,
  knnClassify,
  singularValues,
  subspaceEnergy,
  uniformityMetric,
} from '../src/index.js';

function gaussian(seed: number, n: number, d: number, scales?: number[]): Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(
    Array.from({ length: n * d }, (_, i) => rng.normal() * (scales?.[i % d] ?? 1)),
    [n, d],
  );
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

describe('uniformity and rank metrics', () => {
  it('when points are uniform on the sphere in d = 64, then -U is about 4 - 8/d = 3.875; more rows than one block work', () => {
    const x = gaussian(1, 530, 64);
    const u = uniformityMetric(x);
    expect(u).toBeGreaterThan(3.85);
    expect(u).toBeLessThan(3.9);
    x.dispose();
  });

  it('when all features point the same way, then uniformity is 0 and the effective rank is 1', () => {
    const x = tf.tensor2d([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    expect(uniformityMetric(x)).toBeCloseTo(0, 6);
    expect(effectiveRank(x)).toBeCloseTo(1, 6);
    x.dispose();
  });

  it('when singular values are known, then they are recovered (diagonal and orthogonal-column matrices)', () => {
    expect(singularValues([3, 0, 0, 0, -4, 0], 2, 3)).toEqual([4, 3]);
    const s = singularValues([1, 1, 1, -1, 0, 0], 3, 2); // columns (1,1,0), (1,-1,0)
    expect(s[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(s[1]).toBeCloseTo(Math.SQRT2, 12);
  });

  it('when features are isotropic in d = 16 with many rows, then the effective rank approaches 16', () => {
    const x = gaussian(2, 2000, 16);
    expect(effectiveRank(x)).toBeGreaterThan(15.5);
    x.dispose();
  });

  it('when two clients share the same features, inter-client uniformity is lower than when they sit apart', () => {
    const a = tf.tensor2d([
      [1, 0],
      [0.9, 0.1],
    ]);
    const b = tf.tensor2d([
      [-1, 0],
      [-0.9, -0.1],
    ]);
    expect(interClientUniformity([a, a])).toBeLessThan(interClientUniformity([a, b]));
    expect(interClientUniformity([a, b])).toBeGreaterThan(7.5); // antipodal: -log exp(-2 * ~4)
    tf.dispose([a, b]);
  });
});

describe('kNN', () => {
  it('when a query sits on a labelled point, then a 1-NN vote returns its label; weighted votes can beat majority', () => {
    const bank = tf.tensor2d([
      [1, 0],
      [0, 1],
      [0.1, 1],
      [0.2, 1],
    ]);
    const queries = tf.tensor2d([
      [1, 0.05],
      [0, 1],
    ]);
    expect(knnClassify({ bank, bankLabels: [0, 1, 1, 1], queries, k: 1, temperature: 0.1, classes: 2 })).toEqual([0, 1]);
    // Query close to point 0 (label 2): with k = 4 and a sharp temperature the one close neighbour outweighs three far ones.
    expect(knnClassify({ bank, bankLabels: [2, 1, 1, 1], queries, k: 4, temperature: 0.05, classes: 3 })).toEqual([2, 1]);
    expect(knnClassify({ bank, bankLabels: [2, 1, 1, 1], queries, k: 4, temperature: 100, classes: 3 })).toEqual([1, 1]);
    expect(knnAccuracy({ bank, bankLabels: [0, 1, 1, 1], queries, queryLabels: [0, 0], k: 1, temperature: 0.1, classes: 2 })).toBe(0.5);
    tf.dispose([bank, queries]);
  });

  it('when k or labels are invalid, then a RangeError names the field', () => {
    const bank = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const wide = tf.tensor2d([[1, 0, 0]]);
    const base = { bank, bankLabels: [0, 1], queries: bank, k: 1, temperature: 0.1, classes: 2 };
    expect(() => knnClassify({ ...base, k: 3 })).toThrow(/k must be an integer in \[1, 2\], got 3/);
    expect(() => knnClassify({ ...base, bankLabels: [0, 5] })).toThrow(/bankLabels\[1\] must be an integer class in \[0, 1\]/);
    expect(() => knnClassify({ ...base, queries: wide })).toThrow(/queries have d = 3 but bank has d = 2/);
    expect(() => knnClassify({ ...base, temperature: 0 })).toThrow(/temperature must be a finite number > 0/);
    tf.dispose([bank, wide]);
  });
});

describe('subspaceEnergy', () => {
  it('when each client lives in its own slice of Q coordinates, then own = 1, and isotropic clients give ratio ~1', () => {
    const rng = createRng(3);
    const d = 12;
    const basisValues = tf.tidy(() => tf.linalg.qr(gaussian(4, d, d))[0]);
    const slices = [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]; // 9, 10, 11 unassigned
    // z = c Q^T puts all energy of coordinates c into z Q = c.
    const inSlice = (slice: number[]) =>
      tf.tidy(() => {
        const coords = tf.tensor2d(
          Array.from({ length: 20 * d }, (_, i) => (slice.includes(i % d) ? rng.normal() : 0)),
          [20, d],
        );
        return tf.matMul(coords, basisValues, false, true);
      });
    const separated: Tensor2D[] = slices.map(inSlice) as Tensor2D[];
    const out = subspaceEnergy({ embeddings: separated, basis: basisValues as Tensor2D, slices });
    for (const c of out.perClient) {
      expect(c.own).toBeCloseTo(1, 5);
      expect(c.others + c.rest).toBeCloseTo(0, 5);
    }
    expect(out.summary.ratio).toBeGreaterThan(1e6);

    const iso = [gaussian(5, 3000, d), gaussian(6, 3000, d)];
    const mixed = subspaceEnergy({ embeddings: iso, basis: basisValues as Tensor2D, slices });
    expect(mixed.perClient[0]!.own).toBeCloseTo(3 / 12, 1);
    expect(mixed.perClient[0]!.others).toBeCloseTo(6 / 12, 1);
    expect(mixed.perClient[0]!.rest).toBeCloseTo(3 / 12, 1);
    expect(mixed.summary.ratio).toBeGreaterThan(0.9);
    expect(mixed.summary.ratio).toBeLessThan(1.1);
    expect(() =>
      subspaceEnergy({
        embeddings: iso,
        basis: basisValues as Tensor2D,
        slices: [
          [0, 1],
          [1, 2],
        ],
      }),
    ).toThrow(/slices must be disjoint: index 1/);
    expect(() => subspaceEnergy({ embeddings: iso, basis: basisValues as Tensor2D, slices: [[0], [12]] })).toThrow(
      /slices\[1\] entries must be integers in \[0, 11\], got 12/,
    );
    tf.dispose([basisValues, ...separated, ...iso]);
  });
});
