import type { Rng } from '@fedssd/tensor';

/**
 * Q of the QR decomposition of a d×d standard Gaussian matrix drawn from `rng`, by Householder
 * reflections in float64, with signs fixed so R's diagonal is positive (that makes Q unique and
 * Haar-distributed). Returned row-major: `q[i * d + j]` is row i, column j; the columns are the
 * orthonormal basis vectors.
 */
export function randomOrthogonal(d: number, rng: Rng): Float64Array {
  // Work column-major (`a[j * d + i]` is row i, column j) so every inner loop runs over contiguous
  // memory; the Gaussian is still drawn in row-major order, so A is the row-major matrix of the draws.
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i += 1) for (let j = 0; j < d; j += 1) a[j * d + i] = rng.normal();
  const reflectors: Float64Array[] = [];
  const diagSign = new Float64Array(d).fill(1);
  for (let k = 0; k < d; k += 1) {
    const n = d - k;
    const v = new Float64Array(n);
    let norm = 0;
    for (let i = 0; i < n; i += 1) {
      v[i] = a[k * d + k + i] as number;
      norm += (v[i] as number) ** 2;
    }
    norm = Math.sqrt(norm);
    const x0 = v[0] as number;
    // Reflect x onto -sign(x0)·|x|·e1: subtracting the same-signed value avoids cancellation.
    const alpha = x0 >= 0 ? -norm : norm;
    diagSign[k] = alpha >= 0 ? 1 : -1;
    v[0] = x0 - alpha;
    let vNorm = 0;
    for (let i = 0; i < n; i += 1) vNorm += (v[i] as number) ** 2;
    vNorm = Math.sqrt(vNorm);
    if (vNorm === 0) {
      reflectors.push(new Float64Array(n)); // column already reduced: identity reflector
      continue;
    }
    for (let i = 0; i < n; i += 1) v[i] = (v[i] as number) / vNorm;
    reflectors.push(v);
    // A[k:, k:] -= 2 v (vᵀ A[k:, k:])
    for (let j = k; j < d; j += 1) {
      const col = j * d + k;
      let dot = 0;
      for (let i = 0; i < n; i += 1) dot += (v[i] as number) * (a[col + i] as number);
      dot *= 2;
      for (let i = 0; i < n; i += 1) a[col + i] = (a[col + i] as number) - dot * (v[i] as number);
    }
  }
  // Q = H_0 H_1 … H_{d-1}: apply the reflectors to I from the last one back.
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i += 1) q[i * d + i] = 1;
  for (let k = d - 1; k >= 0; k -= 1) {
    const v = reflectors[k] as Float64Array;
    const n = d - k;
    for (let j = 0; j < d; j += 1) {
      const col = j * d + k;
      let dot = 0;
      for (let i = 0; i < n; i += 1) dot += (v[i] as number) * (q[col + i] as number);
      if (dot === 0) continue;
      dot *= 2;
      for (let i = 0; i < n; i += 1) q[col + i] = (q[col + i] as number) - dot * (v[i] as number);
    }
  }
  // R's diagonal is alpha_k; flip column k of Q where it is negative so diag(R) > 0. Back to row-major.
  const out = new Float64Array(d * d);
  for (let j = 0; j < d; j += 1) {
    const sign = diagSign[j] as number;
    for (let i = 0; i < d; i += 1) out[i * d + j] = sign * (q[j * d + i] as number);
  }
  return out;
}
