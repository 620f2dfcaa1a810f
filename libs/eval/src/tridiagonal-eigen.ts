/**
 * Eigenvalues of a symmetric n x n matrix (row-major, float64): Householder reduction to
 * tridiagonal form, then implicit QL iterations with Wilkinson-style shifts. O(n^3) with a small
 * constant (~0.1 s for n = 512), where cyclic Jacobi (`jacobi.ts`, kept as the cross-check) needs
 * several O(n^3) sweeps. The input is copied, not modified.
 */
export function symmetricEigenvaluesFast(matrix: Float64Array, n: number): number[] {
  const a = Float64Array.from(matrix);
  const diag = new Float64Array(n);
  const off = new Float64Array(n); // off[i] couples i and i + 1; off[n - 1] = 0
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k += 1) {
    // Reflect column k below the diagonal onto its first entry: H x = alpha e_1.
    let norm = 0;
    for (let i = k + 1; i < n; i += 1) norm += (a[i * n + k] ?? 0) ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[(k + 1) * n + k] ?? 0;
    const alpha = x0 > 0 ? -norm : norm;
    let vNorm = 0;
    for (let i = k + 1; i < n; i += 1) {
      v[i] = (a[i * n + k] ?? 0) - (i === k + 1 ? alpha : 0);
      vNorm += (v[i] ?? 0) ** 2;
    }
    if (vNorm === 0 || norm === 0) continue; // column already reduced
    vNorm = Math.sqrt(vNorm);
    for (let i = k + 1; i < n; i += 1) v[i] = (v[i] ?? 0) / vNorm;
    // H A H = A - 2 v q^T - 2 q v^T with p = A v, q = p - (v.p) v (trailing block only).
    let vp = 0;
    for (let i = k + 1; i < n; i += 1) {
      let sum = 0;
      for (let j = k + 1; j < n; j += 1) sum += (a[i * n + j] ?? 0) * (v[j] ?? 0);
      p[i] = sum;
      vp += (v[i] ?? 0) * sum;
    }
    for (let i = k + 1; i < n; i += 1) p[i] = (p[i] ?? 0) - vp * (v[i] ?? 0);
    for (let i = k + 1; i < n; i += 1) {
      const vi = v[i] ?? 0;
      const qi = p[i] ?? 0;
      for (let j = k + 1; j < n; j += 1) a[i * n + j] = (a[i * n + j] ?? 0) - 2 * (vi * (p[j] ?? 0) + qi * (v[j] ?? 0));
    }
    a[(k + 1) * n + k] = alpha;
  }
  for (let i = 0; i < n; i += 1) diag[i] = a[i * n + i] ?? 0;
  for (let i = 0; i < n - 1; i += 1) off[i] = a[(i + 1) * n + i] ?? 0;
  tridiagonalQl(diag, off);
  return Array.from(diag);
}

/** Implicit QL on a symmetric tridiagonal matrix; leaves the eigenvalues in `d` (unsorted). */
function tridiagonalQl(d: Float64Array, e: Float64Array): void {
  const n = d.length;
  const at = (arr: Float64Array, i: number): number => arr[i] ?? 0;
  for (let l = 0; l < n; l += 1) {
    for (let iteration = 0; ; iteration += 1) {
      let m = l;
      // Find the first negligible off-diagonal element at or after l: the block l..m splits off.
      while (m < n - 1 && Math.abs(at(e, m)) > Number.EPSILON * (Math.abs(at(d, m)) + Math.abs(at(d, m + 1)))) m += 1;
      if (m === l) break;
      if (iteration === 100) throw new Error(`eigenvalue iteration did not converge (row ${l})`);
      // Shift from the leading 2 x 2 block, then chase the bulge from m - 1 up to l.
      let g = (at(d, l + 1) - at(d, l)) / (2 * at(e, l));
      let r = Math.hypot(g, 1);
      g = at(d, m) - at(d, l) + at(e, l) / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let shift = 0;
      let underflow = false;
      for (let i = m - 1; i >= l; i -= 1) {
        const f = s * at(e, i);
        const b = c * at(e, i);
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = at(d, i + 1) - shift;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = at(d, i + 1) - shift;
        r = (at(d, i) - g) * s + 2 * c * b;
        shift = s * r;
        d[i + 1] = g + shift;
        g = c * r - b;
      }
      if (underflow) continue;
      d[l] = at(d, l) - shift;
      e[l] = g;
      e[m] = 0;
    }
  }
}
