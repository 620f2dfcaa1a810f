import { describe, expect, it } from 'vitest';
import { addWeights, l2Norm, scaleWeights, subtractWeights } from '@fedssd/fedavg';
import { randomWeights } from './helpers.js';

describe('weight delta helpers', () => {
  const a = randomWeights(1);
  const b = randomWeights(2);

  it('when subtracting then adding back, then recovers the original within float32 rounding', () => {
    const delta = subtractWeights(a, b);
    expect(delta[0]?.values[0]).toBeCloseTo((a[0]?.values[0] ?? 0) - (b[0]?.values[0] ?? 0), 6);
    const back = addWeights(b, delta);
    back.forEach((w, i) => w.values.forEach((v, j) => expect(v).toBeCloseTo(a[i]?.values[j] ?? NaN, 5)));
    expect(l2Norm(subtractWeights(a, a))).toBe(0);
  });

  it('when scaling, then every value is multiplied and inputs are untouched', () => {
    const before = a[1]?.values[0] ?? 0;
    const scaled = scaleWeights(a, -0.5);
    expect(scaled[1]?.values[0]).toBeCloseTo(before * -0.5, 7);
    expect(a[1]?.values[0]).toBe(before);
    expect(l2Norm(scaled)).toBeCloseTo(0.5 * l2Norm(a), 5);
    expect(() => scaleWeights(a, Number.NaN)).toThrow('factor must be finite (got NaN)');
  });

  it('when computing the norm, then it is the float64 Euclidean norm over all tensors', () => {
    const w = [
      { name: 'a', shape: [2], values: Float32Array.of(3, 4) },
      { name: 'b', shape: [1], values: Float32Array.of(12) },
    ];
    expect(l2Norm(w)).toBe(13);
    // 2^20 values of 1e-3: a float32 running sum of squares would drift visibly; float64 stays within ~1e-11.
    const many = [{ name: 'm', shape: [1 << 20], values: new Float32Array(1 << 20).fill(1e-3) }];
    expect(l2Norm(many)).toBeCloseTo(Math.sqrt((1 << 20) * Math.fround(1e-3) ** 2), 9);
  });

  it('when layouts differ, then refuses to combine', () => {
    expect(() => subtractWeights(a, b.slice(1))).toThrow('weights: expected 4 tensors, got 3');
  });
});
