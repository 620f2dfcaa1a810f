/**
 * Eigenvalues of a symmetric n x n matrix (row-major, float64) by the cyclic Jacobi method.
 * TF.js has no SVD or eigendecomposition; Jacobi is simple, accurate for small eigenvalues and
 * fast enough for n <= 512. The input is copied, not modified.
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number, maxSweeps = 60): number[] {
  const a = Float64Array.from(matrix);
  const at = (i: number, j: number): number => a[i * n + j] ?? 0;
  for (let sweep = 0; sweep < maxSweeps; sweep += 1) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i += 1) {
      diag += at(i, i) * at(i, i);
      for (let j = i + 1; j < n; j += 1) off += at(i, j) * at(i, j);
    }
    // Converged when the off-diagonal mass is negligible against the diagonal (or everything is 0).
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p += 1) {
      for (let q = p + 1; q < n; q += 1) {
        const apq = at(p, q);
        if (apq === 0) continue;
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, sym.schur2).
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const tan = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(tan * tan + 1);
        const sin = tan * cos;
        for (let k = 0; k < n; k += 1) {
          const akp = at(k, p);
          const akq = at(k, q);
          a[k * n + p] = cos * akp - sin * akq;
          a[k * n + q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < n; k += 1) {
          const apk = at(p, k);
          const aqk = at(q, k);
          a[p * n + k] = cos * apk - sin * aqk;
          a[q * n + k] = sin * apk + cos * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => at(i, i));
}
