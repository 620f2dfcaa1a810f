import type { Tensor2D } from '@tensorflow/tfjs-core';
import { assertMatrix, assertPositive } from './checks.js';
import { l2NormalizeRows } from './normalize.js';
import { logSumExpSqDist } from './pairwise.js';

/**
 * Uniformity metric -U(H) = -log mean_{i<j} exp(-t ||h_i - h_j||^2) over L2-normalised rows
 * (higher is more uniform; in [0, 4t]; random points in d = 128 give about 3.94 at t = 2).
 * Cost is O(N^2 d); callers cap N (a few thousand rows).
 *
 * @param features - [N, d] features, N >= 2 (normalised here).
 * @param t - temperature, > 0 (default 2).
 */
export function uniformityMetric(features: Tensor2D, t = 2): number {
  assertMatrix('features', features, 2);
  assertPositive('t', t);
  const n = features.shape[0];
  const z = l2NormalizeRows(features);
  try {
    return -(logSumExpSqDist(z, z, t, true) - Math.log((n * (n - 1)) / 2));
  } finally {
    z.dispose();
  }
}

/**
 * Inter-client uniformity: mean over ordered client pairs i != j of
 * -log mean_{z in i, z' in j} exp(-t ||z - z'||^2), on L2-normalised features (higher means
 * the clients' features overlap less).
 *
 * @param featuresPerClient - at least 2 clients, each [N_k >= 1, d] with the same d.
 * @param t - temperature, > 0 (default 2).
 */
export function interClientUniformity(featuresPerClient: Tensor2D[], t = 2): number {
  if (featuresPerClient.length < 2) {
    throw new RangeError(`featuresPerClient must hold at least 2 clients, got ${featuresPerClient.length}`);
  }
  assertPositive('t', t);
  featuresPerClient.forEach((f, i) => assertMatrix(`featuresPerClient[${i}]`, f));
  const d = featuresPerClient[0]?.shape[1];
  featuresPerClient.forEach((f, i) => {
    if (f.shape[1] !== d) throw new RangeError(`featuresPerClient[${i}] has d = ${f.shape[1]}, expected ${d}`);
  });
  const zs = featuresPerClient.map(l2NormalizeRows);
  try {
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < zs.length; i += 1) {
      for (let j = 0; j < zs.length; j += 1) {
        const zi = zs[i];
        const zj = zs[j];
        if (i === j || !zi || !zj) continue;
        sum += -(logSumExpSqDist(zi, zj, t, false) - Math.log(zi.shape[0] * zj.shape[0]));
        pairs += 1;
      }
    }
    return sum / pairs;
  } finally {
    for (const z of zs) z.dispose();
  }
}
