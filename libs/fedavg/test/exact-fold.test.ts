import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExactFedAvg, EXACT_MAX_ABS_TERM, EXACT_MAX_SAMPLES, FedAvgError } from '../src/index.js';
import { randomWeights } from './helpers.js';

const bytesOf = (weights: readonly { values: Float32Array }[]): Buffer => Buffer.concat(weights.map((w) => Buffer.from(w.values.buffer)));

/** Updates with values spanning tiny, ordinary and large magnitudes, so rounding order would matter for a float sum. */
function updates(n: number): { weights: ReturnType<typeof randomWeights>; samples: number }[] {
  return Array.from({ length: n }, (_, c) => ({
    weights: randomWeights(100 + c, [1e-6, 1e-2, 1, 300][c % 4] as number),
    samples: 37 + 101 * c,
  }));
}

describe('exact FedAvg fold', () => {
  it('gives the same bytes in any arrival order (fast-check over permutations)', () => {
    const all = updates(9);
    const reference = createExactFedAvg(all[0]!.weights);
    for (const u of all) reference.add(u.weights, u.samples);
    const expected = bytesOf(reference.result());
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), (order) => {
        const fold = createExactFedAvg(all[0]!.weights);
        for (const u of order) fold.add(u.weights, u.samples);
        expect(bytesOf(fold.result()).equals(expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('stays within 2^-33 plus float32 rounding of the exact weighted mean', () => {
    const all = updates(6);
    const fold = createExactFedAvg(all[0]!.weights);
    for (const u of all) fold.add(u.weights, u.samples);
    const total = all.reduce((n, u) => n + u.samples, 0);
    fold.result().forEach((w, i) => {
      w.values.forEach((got, j) => {
        const exact = all.reduce((s, u) => s + (u.weights[i]!.values[j] as number) * u.samples, 0) / total;
        const ulp = Math.max(Math.abs(exact), 1e-30) * 2 ** -23;
        expect(Math.abs(got - exact)).toBeLessThanOrEqual(2 ** -33 + ulp);
      });
    });
  });

  it('round-trips its sums through encode() and resumes with the same bytes (a checkpoint)', () => {
    const all = updates(7);
    const whole = createExactFedAvg(all[0]!.weights);
    for (const u of all) whole.add(u.weights, u.samples);
    const first = createExactFedAvg(all[0]!.weights);
    for (const u of all.slice(0, 3)) first.add(u.weights, u.samples);
    // From an unaligned Buffer view, as Redis returns blobs.
    const encoded = first.encode();
    const pool = Buffer.alloc(encoded.length + 5);
    pool.set(encoded, 5);
    const resumed = createExactFedAvg(all[0]!.weights, pool.subarray(5));
    expect([resumed.count, resumed.totalSamples]).toEqual([first.count, first.totalSamples]);
    for (const u of all.slice(3)) resumed.add(u.weights, u.samples);
    expect(bytesOf(resumed.result()).equals(bytesOf(whole.result()))).toBe(true);
    expect(() => createExactFedAvg(all[0]!.weights.slice(1), first.encode())).toThrow(/does not fit the model/);
  });

  it('refuses values outside its exact range and non-integer sample counts, naming the limit', () => {
    const w = randomWeights(1);
    const big = w.map((t, i) => (i === 0 ? { ...t, values: t.values.map(() => EXACT_MAX_ABS_TERM / 5) } : t));
    const fold = createExactFedAvg(w);
    expect(() => fold.add(big, 10)).toThrow(/within ±214748364\.8 for the exact fold of 10 samples/);
    expect(() => fold.add(w, 1.5)).toThrow(FedAvgError);
    expect(() =>
      fold.add(
        w.map((t) => ({ ...t, values: t.values.map(() => NaN) })),
        10,
      ),
    ).toThrow(/for the exact fold/);
    expect(fold.count).toBe(0);
  });

  it('bounds |value| x samples, not |value| alone: a large value of a small client folds exactly (the 500-client soak hit 2229 at 17 samples)', () => {
    const w = randomWeights(1);
    const large = w.map((t) => ({ ...t, values: t.values.map((v, j) => (j === 0 ? 2228.985107421875 : v)) }));
    const fold = createExactFedAvg(w);
    fold.add(large, 17);
    fold.add(w, 3);
    const [first] = fold.result();
    // (2228.985107421875 * 17 + w0 * 3) / 20, checked in float64 against the accumulator's float32 result.
    expect(first!.values[0]).toBe(Math.fround((2228.985107421875 * 17 + w[0]!.values[0]! * 3) / 20));
    expect(() => createExactFedAvg(w).add(large, EXACT_MAX_SAMPLES)).toThrow(/within ±2048 for the exact fold of 1048576 samples/);
  });
});
