import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { assertIntegerIn, assertLabels, assertMatrix, assertPositive } from './checks.js';
import { l2NormalizeRows } from './normalize.js';

/** Options of the weighted kNN monitor (docs/METHOD.md §7). */
export interface KnnOptions {
  /** [N_bank, d] memory-bank features (normalised here). */
  bank: Tensor2D;
  /** Class of each bank row, integers in [0, classes). */
  bankLabels: ArrayLike<number>;
  /** [N_query, d] query features (normalised here). */
  queries: Tensor2D;
  /** Neighbours per query, in [1, N_bank] (paper 200; fewer on small banks). */
  k: number;
  /** Temperature of the neighbour weights exp(sim / temperature), > 0 (paper 0.1). */
  temperature: number;
  /** Number of classes, >= 1. */
  classes: number;
  /** Queries per chunk; bounds memory at batchSize x N_bank similarities (default 256). */
  batchSize?: number;
}

/**
 * Weighted kNN classification: cosine similarity to every bank row, the top k neighbours vote
 * for their class with weight exp(sim / temperature); returns the winning class per query (on a
 * tie, the lowest class index, like argmax).
 */
export function knnClassify(opts: KnnOptions): number[] {
  const { bank, bankLabels, queries, k, temperature, classes, batchSize = 256 } = opts;
  assertMatrix('bank', bank);
  assertMatrix('queries', queries, 0);
  if (queries.shape[1] !== bank.shape[1]) {
    throw new RangeError(`queries have d = ${queries.shape[1]} but bank has d = ${bank.shape[1]}`);
  }
  assertIntegerIn('classes', classes, 1, Number.MAX_SAFE_INTEGER);
  assertIntegerIn('k', k, 1, bank.shape[0]);
  assertPositive('temperature', temperature);
  assertIntegerIn('batchSize', batchSize, 1, Number.MAX_SAFE_INTEGER);
  assertLabels('bankLabels', bankLabels, bank.shape[0], classes);

  const nq = queries.shape[0];
  const predictions: number[] = [];
  const bankNorm = l2NormalizeRows(bank);
  try {
    for (let start = 0; start < nq; start += batchSize) {
      const rows = Math.min(batchSize, nq - start);
      const { values, indices } = tf.tidy(() => {
        const q = l2NormalizeRows(tf.slice(queries, [start, 0], [rows, -1]));
        return tf.topk(tf.matMul(q, bankNorm, false, true), k);
      });
      const sims = values.dataSync();
      const idx = indices.dataSync();
      tf.dispose([values, indices]);
      const scores = new Float64Array(classes);
      for (let r = 0; r < rows; r += 1) {
        scores.fill(0);
        for (let j = 0; j < k; j += 1) {
          const label = bankLabels[idx[r * k + j] ?? 0] ?? 0;
          scores[label] = (scores[label] ?? 0) + Math.exp((sims[r * k + j] ?? 0) / temperature);
        }
        let best = 0;
        for (let c = 1; c < classes; c += 1) if ((scores[c] ?? 0) > (scores[best] ?? 0)) best = c;
        predictions.push(best);
      }
    }
  } finally {
    bankNorm.dispose();
  }
  return predictions;
}

/** Fraction of queries whose kNN prediction equals `queryLabels` (0 when there are no queries). */
export function knnAccuracy(opts: KnnOptions & { queryLabels: ArrayLike<number> }): number {
  assertLabels('queryLabels', opts.queryLabels, opts.queries.shape[0], opts.classes);
  const predicted = knnClassify(opts);
  let correct = 0;
  predicted.forEach((label, i) => {
    if (label === opts.queryLabels[i]) correct += 1;
  });
  return predicted.length === 0 ? 0 : correct / predicted.length;
}
