import { createRng } from '@fedssd/tensor';
import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues } from '../src/jacobi.js';
import { symmetricEigenvaluesFast } from '../src/tridiagonal-eigen.js';

function randomSymmetric(seed: number, n: number): Float64Array {
  const rng = createRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = i; j < n; j += 1) {
      const x = rng.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return a;
}

const sorted = (xs: number[]): number[] => [...xs].sort((x, y) => x - y);

describe('symmetric eigenvalues: Householder + QL against cyclic Jacobi', () => {
  it('when matrices are random, then both algorithms agree to ~1e-10 and the trace is preserved', () => {
    for (const [seed, n] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 17],
      [5, 60],
    ] as const) {
      const a = randomSymmetric(seed, n);
      const fast = sorted(symmetricEigenvaluesFast(a, n));
      const jacobi = sorted(symmetricEigenvalues(a, n));
      fast.forEach((x, i) => expect(Math.abs(x - (jacobi[i] ?? NaN))).toBeLessThan(1e-10));
      let trace = 0;
      for (let i = 0; i < n; i += 1) trace += a[i * n + i] ?? 0;
      expect(fast.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 9);
    }
  });

  it('when the matrix is diagonal, zero or has repeated eigenvalues, then the exact values come back', () => {
    expect(sorted(symmetricEigenvaluesFast(Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3))).toEqual([-1, 2, 3]);
    expect(symmetricEigenvaluesFast(new Float64Array(16), 4)).toEqual([0, 0, 0, 0]);
    // J - I for the 4 x 4 all-ones J: eigenvalues 3 and -1 (three times).
    const a = Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const eig = sorted(symmetricEigenvaluesFast(a, 4));
    [-1, -1, -1, 3].forEach((x, i) => expect(eig[i]).toBeCloseTo(x, 12));
  });
});
