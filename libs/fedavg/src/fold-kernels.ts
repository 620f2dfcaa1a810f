/**
 * The inner loops of FedAvg: `sum[j] += v[j] * n` for one to four updates per pass over the
 * float64 sums. Folding k updates in one pass computes, per element,
 * `(((s + a*na) + b*nb) + c*nc) + d*nd` — the same float64 operations in the same order as k
 * sequential single folds, so the sums are bitwise identical; only the memory traffic changes
 * (the 8-byte sum is read and written once per group instead of once per update: 20 bytes
 * moved per 4-byte input alone, 8 per input in groups of four, as much as a copy).
 *
 * One function per group size keeps each loop monomorphic in its argument count.
 */

/** Most updates folded per pass; larger groups measured no faster here (JS work per input dominates). */
export const FOLD_GROUP_MAX = 4;

/**
 * A fold kernel: folds `values[0..k)` weighted by `weights[0..k)` into `sum` in place, 1 <= k <=
 * {@link FOLD_GROUP_MAX}, every array `sum.length` long. A replacement (e.g. `@fedssd/native`'s
 * SIMD fold) must compute `(((s + a*na) + b*nb) + ...)` per element with the same float64
 * operations in the same order (no fused multiply-add), so that every aggregator produces the
 * same model bytes whichever kernel it runs.
 */
export type FoldKernel = (sum: Float64Array, values: readonly Float32Array[], weights: readonly number[]) => void;

/** Unrolled by four: per-iteration overhead, not memory, bounded the plain one-input loop. */
function fold1(sum: Float64Array, a: Float32Array, na: number): void {
  const n = sum.length;
  const m = n - (n % 4);
  let j = 0;
  for (; j < m; j += 4) {
    sum[j] = (sum[j] as number) + (a[j] as number) * na;
    sum[j + 1] = (sum[j + 1] as number) + (a[j + 1] as number) * na;
    sum[j + 2] = (sum[j + 2] as number) + (a[j + 2] as number) * na;
    sum[j + 3] = (sum[j + 3] as number) + (a[j + 3] as number) * na;
  }
  for (; j < n; j += 1) sum[j] = (sum[j] as number) + (a[j] as number) * na;
}

function fold2(sum: Float64Array, a: Float32Array, b: Float32Array, na: number, nb: number): void {
  for (let j = 0; j < sum.length; j += 1) {
    sum[j] = (sum[j] as number) + (a[j] as number) * na + (b[j] as number) * nb;
  }
}

function fold3(sum: Float64Array, a: Float32Array, b: Float32Array, c: Float32Array, na: number, nb: number, nc: number): void {
  for (let j = 0; j < sum.length; j += 1) {
    sum[j] = (sum[j] as number) + (a[j] as number) * na + (b[j] as number) * nb + (c[j] as number) * nc;
  }
}

function fold4(
  sum: Float64Array,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  d: Float32Array,
  na: number,
  nb: number,
  nc: number,
  nd: number,
): void {
  for (let j = 0; j < sum.length; j += 1) {
    // JS `+` is left-associative: this is (((s + a*na) + b*nb) + c*nc) + d*nd.
    sum[j] = (sum[j] as number) + (a[j] as number) * na + (b[j] as number) * nb + (c[j] as number) * nc + (d[j] as number) * nd;
  }
}

/**
 * Folds `values[0..k)` weighted by `weights[0..k)` into `sum`, in that order, k <= {@link FOLD_GROUP_MAX}
 * (the caller splits longer lists). Every array must have `sum.length` elements.
 */
export function foldGroup(sum: Float64Array, values: readonly Float32Array[], weights: readonly number[]): void {
  const [a, b, c, d] = values as [Float32Array, Float32Array, Float32Array, Float32Array];
  const [na, nb, nc, nd] = weights as [number, number, number, number];
  if (values.length === 1) fold1(sum, a, na);
  else if (values.length === 2) fold2(sum, a, b, na, nb);
  else if (values.length === 3) fold3(sum, a, b, c, na, nb, nc);
  else if (values.length === 4) fold4(sum, a, b, c, d, na, nb, nc, nd);
  else throw new RangeError(`foldGroup folds 1 to ${FOLD_GROUP_MAX} arrays, got ${values.length}`);
}
