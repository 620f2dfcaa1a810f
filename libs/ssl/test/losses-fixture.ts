import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** One case of libs/ssl/test/fixtures/losses-reference.json (see tools/reference/ssd_reference.py). */
export interface LossCase {
  name: string;
  n: number;
  d: number;
  opts: {
    uniformity: number;
    dsr: { coeff: number; scale: number; form: 'code' | 'paper'; slice: number[] } | null;
    pd: { coeff: number; temperature: number } | null;
  };
  basis: { kind: 'matrix'; values: number[] } | { kind: 'householder'; vectors: number[][] };
  inputs: Record<ViewName, number[]>;
  values: Record<TermName, number>;
  grads: Partial<Record<TermName, Record<ViewName, number[]>>>;
}
export type ViewName = 'h1' | 'h2' | 'zt1' | 'zt2';
export type TermName = 'total' | 'align' | 'uniformity' | 'dsr' | 'pd';

export function loadLossCases(): LossCase[] {
  const url = new URL('./fixtures/losses-reference.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: LossCase[] }).cases;
}

/** Q = prod_k (I - 2 v v^T / v.v), built in float64 exactly as the Python script does. */
function householder(vectors: number[][], d: number): Float64Array {
  let q = new Float64Array(d * d);
  for (let i = 0; i < d; i += 1) q[i * d + i] = 1;
  for (const v of vectors) {
    const vv = v.reduce((s, x) => s + x * x, 0);
    const next = new Float64Array(d * d);
    for (let i = 0; i < d; i += 1) {
      // (Q H)[i, j] = Q[i, j] - 2 (Q v)[i] v[j] / vv
      let qv = 0;
      for (let k = 0; k < d; k += 1) qv += (q[i * d + k] ?? 0) * (v[k] ?? 0);
      for (let j = 0; j < d; j += 1) next[i * d + j] = (q[i * d + j] ?? 0) - (2 * qv * (v[j] ?? 0)) / vv;
    }
    q = next;
  }
  return q;
}

export function basisOf(c: LossCase): Tensor2D {
  const values = c.basis.kind === 'matrix' ? c.basis.values : Array.from(householder(c.basis.vectors, c.d));
  return tf.tensor2d(values, [c.d, c.d]);
}

/** Largest violation of |a - b| <= abs + rel * |b| (0 means within tolerance everywhere). */
export function worstExcess(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-4, abs = 1e-6): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i += 1) {
    const a = actual[i] ?? NaN;
    const b = expected[i] ?? NaN;
    const excess = Math.abs(a - b) - (abs + rel * Math.abs(b));
    if (!(excess <= worst)) worst = Number.isNaN(excess) ? Infinity : excess;
  }
  return worst;
}
