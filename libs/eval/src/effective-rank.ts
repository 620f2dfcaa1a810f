import type { Tensor2D } from '@tensorflow/tfjs-core';
import { assertMatrix } from './checks.js';
import { symmetricEigenvaluesFast } from './tridiagonal-eigen.js';

/**
 * Singular values of an N x d matrix (row-major float32 data), via the eigenvalues of the smaller
 * Gram matrix (X^T X if N >= d, else X X^T) accumulated in float64 (TF.js has no SVD):
 * s = sqrt(max(eig, 0)).
 * Returned in descending order.
 */
export function singularValues(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const byColumns = rows >= cols;
  const size = byColumns ? cols : rows;
  const gram = new Float64Array(size * size);
  // Copy the smaller side's vectors into contiguous float64 rows so every Gram entry is one
  // contiguous dot product of length `len` (columns of X when N >= d, rows otherwise).
  const len = byColumns ? rows : cols;
  const vectors = new Float64Array(size * len);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const value = values[r * cols + c] ?? 0;
      if (byColumns) vectors[c * len + r] = value;
      else vectors[r * len + c] = value;
    }
  }
  for (let i = 0; i < size; i += 1) {
    for (let j = i; j < size; j += 1) {
      let dot = 0;
      for (let k = 0, oi = i * len, oj = j * len; k < len; k += 1) dot += (vectors[oi + k] ?? 0) * (vectors[oj + k] ?? 0);
      gram[i * size + j] = dot;
    }
  }
  for (let i = 0; i < size; i += 1) for (let j = 0; j < i; j += 1) gram[i * size + j] = gram[j * size + i] ?? 0;
  return symmetricEigenvaluesFast(gram, size)
    .map((eig) => Math.sqrt(Math.max(eig, 0)))
    .sort((x, y) => y - x);
}

/**
 * Effective rank (Roy & Vetterli 2007): exp(-sum_k p_k log p_k) with p_k = s_k / sum_j s_j over
 * the singular values s of `matrix` (N x d). In [1, min(N, d)]; 0 for an all-zero matrix.
 * The matrix is read back to the CPU; cost O(N d min(N, d)) plus O(min(N, d)^3) for the eigenvalues.
 */
export function effectiveRank(matrix: Tensor2D): number {
  assertMatrix('matrix', matrix);
  const [rows, cols] = matrix.shape;
  const s = singularValues(matrix.dataSync(), rows, cols);
  const total = s.reduce((acc, x) => acc + x, 0);
  if (total === 0) return 0;
  let entropy = 0;
  for (const x of s) {
    const p = x / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}
