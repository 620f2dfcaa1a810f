import { describe, expect, it } from 'vitest';
import { deriveRng } from '@fedssd/tensor';
import { createSsdTargets, targetFor } from '@fedssd/fedavg';
import { randomOrthogonal } from '../src/orthogonal.js';

/** max |(QᵀQ - I)_ij| for a row-major d×d Q, accumulated in float64. */
function orthogonalityError(q: ArrayLike<number>, d: number): number {
  let worst = 0;
  for (let i = 0; i < d; i += 1) {
    for (let j = i; j < d; j += 1) {
      let dot = 0;
      for (let r = 0; r < d; r += 1) dot += (q[r * d + i] as number) * (q[r * d + j] as number);
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe('randomOrthogonal', () => {
  it('when decomposing a seeded Gaussian A, then QᵀA is upper triangular with a positive diagonal (Q is the QR factor)', () => {
    const d = 24;
    const q = randomOrthogonal(d, deriveRng(5, 'x'));
    const aRng = deriveRng(5, 'x');
    const a = Float64Array.from({ length: d * d }, () => aRng.normal());
    for (let i = 0; i < d; i += 1) {
      for (let j = 0; j < d; j += 1) {
        let r = 0;
        for (let k = 0; k < d; k += 1) r += (q[k * d + i] as number) * (a[k * d + j] as number);
        if (i > j) expect(Math.abs(r)).toBeLessThan(1e-12);
        if (i === j) expect(r).toBeGreaterThan(0);
      }
    }
    expect(orthogonalityError(q, d)).toBeLessThan(1e-13);
  });
});

describe('createSsdTargets', () => {
  it('when d = 128 and K = 10, then Q is orthogonal to 1e-6 in float32 and slices are disjoint m = 12', () => {
    const targets = createSsdTargets({ dim: 128, clients: 10, seed: 3 });
    expect(targets.basis).toBeInstanceOf(Float32Array);
    expect(targets.basis.length).toBe(128 * 128);
    expect(orthogonalityError(targets.basis, 128)).toBeLessThan(1e-6);
    expect(targets.scale).toBe(10);
    expect(targets.slices).toHaveLength(10);
    const all = targets.slices.flat();
    expect(targets.slices.every((s) => s.length === 12)).toBe(true);
    expect(new Set(all).size).toBe(120);
    expect(all.every((j) => Number.isInteger(j) && j >= 0 && j < 128)).toBe(true);
  });

  it('when d = 512 (paper scale), then Q is still orthogonal to 1e-6', () => {
    const started = performance.now();
    const targets = createSsdTargets({ dim: 512, clients: 10, seed: 1 });
    console.log(`createSsdTargets d=512: ${(performance.now() - started).toFixed(0)} ms`);
    expect(orthogonalityError(targets.basis, 512)).toBeLessThan(1e-6);
  });

  it('when created twice with one seed, then identical; another seed differs', () => {
    const a = createSsdTargets({ dim: 32, clients: 4, sliceSize: 5, scale: 3, seed: 9 });
    expect(createSsdTargets({ dim: 32, clients: 4, sliceSize: 5, scale: 3, seed: 9 })).toEqual(a);
    const b = createSsdTargets({ dim: 32, clients: 4, sliceSize: 5, scale: 3, seed: 10 });
    expect(b.basis).not.toEqual(a.basis);
    expect(b.slices).not.toEqual(a.slices);
  });

  it('when asking for one client, then gets the shared basis and its own slice', () => {
    const targets = createSsdTargets({ dim: 16, clients: 4, seed: 2 });
    const t = targetFor(targets, 2);
    expect(t).toEqual({ basisValues: targets.basis, dim: 16, slice: targets.slices[2], scale: 10 });
    expect(() => targetFor(targets, 4)).toThrow('clientId must be an integer in [0, 4) (got 4)');
  });

  it('when options are out of range, then throws with the numbers', () => {
    expect(() => createSsdTargets({ dim: 128, clients: 10, sliceSize: 20, seed: 0 })).toThrow(
      'clients × sliceSize must be ≤ dim (10 × 20 = 200 > 128)',
    );
    expect(() => createSsdTargets({ dim: 5, clients: 10, seed: 0 })).toThrow(
      /sliceSize must be an integer ≥ 1 \(got 0; default is floor\(dim \/ clients\)/,
    );
    expect(() => createSsdTargets({ dim: 8, clients: 2, scale: 0, seed: 0 })).toThrow('scale must be > 0 and finite (got 0)');
  });
});
