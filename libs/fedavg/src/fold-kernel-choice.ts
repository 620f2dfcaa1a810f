/**
 * Which fold kernel new accumulators use by default: the JS one here, or a faster replacement
 * the composition root installs (the aggregator installs `@fedssd/native`'s SIMD fold when it
 * loads). A replacement is accepted only if it reproduces the JS kernel bit for bit on a probe
 * where the order of float64 operations shows, because every node of a run must derive the same
 * model bytes from the same updates.
 */
import { FedAvgError } from './errors.js';
import { FOLD_GROUP_MAX, foldGroup, type FoldKernel } from './fold-kernels.js';

let current: FoldKernel = foldGroup;

/**
 * 259 elements (a vector body and a scalar tail for 2, 4 or 8 lanes) mixing terms of ±2^40 times
 * the weights, which cancel only in the right order, with small ones they would swallow; and
 * weights that are not powers of two, so products round. Summing a group before adding it,
 * pairing terms, reversing them, fusing multiply and add or rounding to float32 all change bytes.
 */
function probe(kernel: FoldKernel, k: number): Float64Array {
  const weights = [0.1, 1 / 3, 3, 7];
  const big = 2 ** 40;
  const picks = [big, -big, 1, -1, 0.3, -7.1, 1e-3];
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  const n = 259;
  const sum = Float64Array.from({ length: n }, () => (picks[next() % picks.length] as number) * (weights[next() % 4] as number));
  const values = Array.from({ length: k }, () => Float32Array.from({ length: n }, () => picks[next() % picks.length] as number));
  kernel(sum, values, weights.slice(0, k));
  return sum;
}

function sameBytes(a: Float64Array, b: Float64Array): boolean {
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Throws `INVALID_OPTION` unless `kernel` reproduces the JS kernel bit for bit on the probe, for every group size. */
export function assertFoldKernel(kernel: FoldKernel): void {
  if (kernel === foldGroup) return;
  for (let k = 1; k <= FOLD_GROUP_MAX; k += 1) {
    if (!sameBytes(probe(kernel, k), probe(foldGroup, k))) {
      throw new FedAvgError('INVALID_OPTION', `fold kernel ${kernel.name || '(anonymous)'} differs from the JS kernel for groups of ${k}`);
    }
  }
}

/**
 * Sets the default fold kernel of accumulators created afterwards (`undefined` restores the JS
 * kernel) and returns the previous one. Throws `INVALID_OPTION`, leaving the default unchanged,
 * if `kernel` differs from the JS kernel in any bit of the probe for any group size.
 */
export function setFoldKernel(kernel: FoldKernel | undefined): FoldKernel {
  const previous = current;
  if (kernel !== undefined) assertFoldKernel(kernel);
  current = kernel ?? foldGroup;
  return previous;
}

/** The fold kernel new accumulators use unless given one. */
export function defaultFoldKernel(): FoldKernel {
  return current;
}
