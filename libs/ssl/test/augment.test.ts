import { createRng } from '@fedssd/tensor';
import { describe, expect, it } from 'vitest';
import { augmentBatch, defaultPolicyFor, type AugmentParams } from '../src/augment/index.js';

function images(count: number, per: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count * per }, () => rng.next());
}

const identity: AugmentParams = {
  cropScale: [1, 1],
  cropRatio: [1, 1],
  flipProb: 0,
  jitterProb: 0,
  brightness: 0,
  contrast: 0,
  saturation: 0,
  hue: 0,
  grayscaleProb: 0,
};

describe('augmentBatch', () => {
  it('when given the same rng seed, then the output is identical; another seed differs', () => {
    const src = images(4, 32 * 32 * 3, 1);
    const a = augmentBatch(src, 4, [32, 32, 3], createRng(5), 'cifar');
    const b = augmentBatch(src, 4, [32, 32, 3], createRng(5), 'cifar');
    const c = augmentBatch(src, 4, [32, 32, 3], createRng(6), 'cifar');
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(src).toEqual(images(4, 32 * 32 * 3, 1)); // input untouched
  });

  it('when augmenting with either preset, then values stay in [0, 1] and the layout is kept', () => {
    for (const [shape, policy] of [
      [[32, 32, 3], 'cifar'],
      [[28, 28, 1], 'grayscale28'],
    ] as const) {
      const per = shape[0] * shape[1] * shape[2];
      const out = augmentBatch(images(64, per, 2), 64, shape, createRng(3), policy);
      expect(out.length).toBe(64 * per);
      let min = Infinity;
      let max = -Infinity;
      for (const v of out) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
      expect(Number.isNaN(min) || Number.isNaN(max)).toBe(false);
    }
  });

  it('when crop covers the image and nothing else applies, then it is the identity; flip mirrors rows', () => {
    const src = images(2, 4 * 4 * 3, 9);
    expect(augmentBatch(src, 2, [4, 4, 3], createRng(1), identity)).toEqual(src);
    const flipped = augmentBatch(src, 2, [4, 4, 3], createRng(1), { ...identity, flipProb: 1 });
    // pixel (y=2, x=0) of image 1 moves to (y=2, x=3)
    const at = (arr: Float32Array, n: number, y: number, x: number, c: number) => arr[n * 48 + (y * 4 + x) * 3 + c];
    for (let c = 0; c < 3; c += 1) expect(at(flipped, 1, 2, 3, c)).toBe(at(src, 1, 2, 0, c));
  });

  it('when grayscale is certain, then the three channels are equal; brightness 0-strength keeps values', () => {
    const src = images(3, 8 * 8 * 3, 4);
    const out = augmentBatch(src, 3, [8, 8, 3], createRng(2), { ...identity, grayscaleProb: 1 });
    for (let i = 0; i < out.length; i += 3) {
      expect(out[i]).toBe(out[i + 1]);
      expect(out[i]).toBe(out[i + 2]);
      expect(out[i]).toBeCloseTo(0.299 * (src[i] ?? 0) + 0.587 * (src[i + 1] ?? 0) + 0.114 * (src[i + 2] ?? 0), 6);
    }
  });

  it('when a crop is a small region, then the output is smoother than the input (it upsamples)', () => {
    const src = images(8, 32 * 32 * 1, 5);
    const out = augmentBatch(src, 8, [32, 32, 1], createRng(3), { ...identity, cropScale: [0.1, 0.1], cropRatio: [1, 1] });
    const tv = (a: Float32Array) => a.reduce((s, v, i) => (i % 32 === 0 ? s : s + Math.abs(v - (a[i - 1] ?? 0))), 0);
    expect(tv(out)).toBeLessThan(tv(src) * 0.6);
  });

  it('when a hue shift of up to half a turn is applied, then grey pixels are unchanged and colours rotate', () => {
    const src = new Float32Array([0.5, 0.5, 0.5, 1, 0, 0]); // 1x2 image: grey, red
    const out = augmentBatch(src, 1, [1, 2, 3], createRng(1), { ...identity, cropRatio: [2, 2], jitterProb: 1, hue: 0.5 });
    expect(Array.from(out.subarray(0, 3))).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(out.subarray(3))).not.toEqual([1, 0, 0]);
    // a hue rotation keeps HSV value (max channel 1) and saturation (min channel 0)
    expect(Math.max(...out.subarray(3))).toBeCloseTo(1, 6);
    expect(Math.min(...out.subarray(3))).toBeCloseTo(0, 6);
  });

  it('when inputs are invalid, then errors name the field', () => {
    expect(() => augmentBatch(new Float32Array(10), 2, [2, 2, 3], createRng(1), 'cifar')).toThrow(/images/);
    expect(() => augmentBatch(new Float32Array(32), 2, [2, 2, 4], createRng(1), 'cifar')).toThrow(/channels/);
    expect(() => augmentBatch(new Float32Array(8), 2, [2, 2, 1], createRng(1), { ...identity, flipProb: 2 })).toThrow(/flipProb/);
    expect(defaultPolicyFor(1)).toBe('grayscale28');
    expect(defaultPolicyFor(3)).toBe('cifar');
  });
});
