import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRng } from '@fedssd/tensor';
import { alignLoss, distillationLoss, dsrLoss, l2NormalizeRows, ssdObjective, uniformityLoss } from '../src/losses/index.js';

function randomMatrix(seed: number, n: number, d: number): Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(
    Array.from({ length: n * d }, () => rng.normal()),
    [n, d],
  );
}

const value = (s: Scalar): number => {
  const v = s.dataSync()[0] ?? NaN;
  s.dispose();
  return v;
};

let before = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('loss properties', () => {
  it('when both views are identical, then alignment is 0; when opposite, it is 4', () => {
    const z = tf.tidy(() => l2NormalizeRows(randomMatrix(1, 5, 3)));
    const neg = tf.neg(z);
    expect(value(alignLoss(z, z))).toBeCloseTo(0, 6);
    expect(value(alignLoss(z, neg))).toBeCloseTo(4, 5);
    tf.dispose([z, neg]);
  });

  it('when all points coincide, then uniformity is log(1) = 0; antipodal pair of 2 gives -2t*... = -8', () => {
    const same = tf.tensor2d([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    const antipodal = tf.tensor2d([
      [0, 1],
      [0, -1],
    ]);
    expect(value(uniformityLoss(same))).toBeCloseTo(0, 6);
    expect(value(uniformityLoss(antipodal))).toBeCloseTo(-8, 5);
    expect(value(uniformityLoss(antipodal, 0.5))).toBeCloseTo(-2, 5);
    tf.dispose([same, antipodal]);
  });

  it('when points are far apart and unnormalised, then the stable log-mean-exp does not underflow to -Infinity', () => {
    const far = tf.tensor2d([
      [0, 0],
      [30, 0],
      [0, 40],
    ]);
    // pairs: 900, 1600, 2500 -> log mean exp(-2 * .) = -1800 + log((1 + e^-1400 + e^-3200) / 3)
    expect(value(uniformityLoss(far))).toBeCloseTo(-1800 - Math.log(3), 3);
    far.dispose();
  });

  it('when the student equals the teacher, then PD is 0, and it is positive otherwise', () => {
    const h = randomMatrix(2, 4, 6);
    const zt = randomMatrix(3, 4, 6);
    expect(value(distillationLoss(h, h))).toBeCloseTo(0, 6);
    expect(value(distillationLoss(h, zt))).toBeGreaterThan(0.1);
    tf.dispose([h, zt]);
  });

  it('when the scale is 1, then code-form DSR is ~0 with a finite gradient', () => {
    const z = tf.tidy(() => l2NormalizeRows(randomMatrix(4, 6, 4)));
    const basis = tf.eye(4) as Tensor2D;
    const target = { basis, slice: [0, 1], scale: 1 };
    expect(value(dsrLoss(z, target))).toBeLessThan(1e-3);
    const g = tf.grad((x: tf.Tensor) => dsrLoss(x as Tensor2D, target))(z);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([z, basis, g]);
  });

  it('when the DSR step is taken, then energy moves into the client slice (gradient descent direction)', () => {
    const z = tf.tidy(() => l2NormalizeRows(randomMatrix(5, 16, 8)));
    const basis = tf.eye(8) as Tensor2D;
    const target = { basis, slice: [2, 5], scale: 10 };
    const sliceEnergy = (x: Tensor2D): number => tf.tidy(() => tf.sum(tf.square(tf.gather(x, [2, 5], 1))).dataSync()[0] ?? NaN);
    const g = tf.grad((x: tf.Tensor) => dsrLoss(x as Tensor2D, target))(z);
    const stepped = tf.tidy(() => l2NormalizeRows(tf.sub(z, tf.mul(g, 0.5)) as Tensor2D));
    expect(sliceEnergy(stepped)).toBeGreaterThan(sliceEnergy(z));
    tf.dispose([z, basis, g, stepped]);
  });

  it('when DSR and PD are not requested, then they are reported as exact zeros and total = align + beta * uniformity', () => {
    const [h1, h2, zt1, zt2] = [6, 7, 8, 9].map((s) => randomMatrix(s, 5, 4)) as [Tensor2D, Tensor2D, Tensor2D, Tensor2D];
    const out = ssdObjective({ h1, h2, zt1, zt2 }, { uniformity: 0.5 });
    const [total, align, uniformity, dsr, pd] = [out.total, out.align, out.uniformity, out.dsr, out.pd].map(value) as number[];
    expect(dsr).toBe(0);
    expect(pd).toBe(0);
    expect(total).toBeCloseTo(align! + 0.5 * uniformity!, 5);
    tf.dispose([h1, h2, zt1, zt2]);
  });
});

describe('loss input validation', () => {
  it('when shapes, slices or coefficients are wrong, then a clear RangeError names the field', () => {
    const a = randomMatrix(1, 4, 3);
    const b = randomMatrix(2, 5, 3);
    const wide = randomMatrix(3, 4, 5);
    const one = randomMatrix(4, 1, 3);
    const basis = tf.eye(3) as Tensor2D;
    expect(() => alignLoss(a, b)).toThrow(/z1 \[4, 3\] and z2 \[5, 3\] must have the same N and d/);
    expect(() => uniformityLoss(one)).toThrow(/z must have N >= 2 rows/);
    expect(() => uniformityLoss(a, 0)).toThrow(/t must be a finite number > 0/);
    expect(() => dsrLoss(a, { basis, slice: [3], scale: 10 })).toThrow(/slice entries must be integers in \[0, 2\], got 3/);
    expect(() => dsrLoss(a, { basis, slice: [1, 1], scale: 10 })).toThrow(/must not repeat index 1/);
    expect(() => dsrLoss(a, { basis, slice: [0], scale: -1 })).toThrow(/dsr.target.scale must be a finite number > 0/);
    expect(() => dsrLoss(wide, { basis, slice: [0], scale: 10 })).toThrow(/basis must be \[5, 5\]/);
    expect(() => distillationLoss(wide, a)).toThrow(/h \[4, 5\] and zt \[4, 3\] must have the same N and d/);
    expect(() => ssdObjective({ h1: wide, h2: wide, zt1: a, zt2: a }, { pd: { coeff: 0.1 } })).toThrow(/h1 \[4, 5\] and zt1/);
    expect(() => ssdObjective({ h1: a, h2: a, zt1: a, zt2: a }, { uniformity: -1 })).toThrow(/uniformity must be a finite number >= 0/);
    tf.dispose([a, b, wide, one, basis]);
  });
});

describe('DSR on h (the projector-free diagnostic)', () => {
  it('when dsr.on is h, then the DSR term is dsrLoss of the normalised h, and its gradient reaches h', () => {
    const [h1, h2, zt1, zt2] = [1, 2, 3, 4].map((seed) => randomMatrix(seed, 6, 8)) as [Tensor2D, Tensor2D, Tensor2D, Tensor2D];
    const basis = tf.tidy(() => tf.linalg.qr(randomMatrix(5, 8, 8))[0] as Tensor2D);
    const target = { basis, slice: [1, 4], scale: 10 };
    const expected = tf.tidy(
      () => tf.div(tf.add(dsrLoss(l2NormalizeRows(h1), target), dsrLoss(l2NormalizeRows(h2), target)), 2).dataSync()[0]!,
    );
    const onZ = tf.tidy(() => ssdObjective({ h1, h2, zt1, zt2 }, { dsr: { coeff: 1, target } }).dsr.dataSync()[0]!);
    const losses = ssdObjective({ h1, h2, zt1, zt2 }, { dsr: { coeff: 1, target, on: 'h' } });
    expect(value(losses.dsr)).toBeCloseTo(expected, 6);
    expect(Math.abs(onZ - expected)).toBeGreaterThan(1e-3); // a different quantity from the method's
    tf.dispose([losses.total, losses.align, losses.uniformity, losses.pd]);
    // Only the DSR term depends on h here (no PD): h's gradient is non-zero exactly when DSR is on h.
    const gradH = (on: 'h') =>
      tf.tidy(() => {
        const g = tf.grad((h: tf.Tensor) => ssdObjective({ h1: h as Tensor2D, h2, zt1, zt2 }, { dsr: { coeff: 1, target, on } }).total)(h1);
        return tf.sum(tf.abs(g)).dataSync()[0]!;
      });
    expect(gradH('h')).toBeGreaterThan(1e-4);
    tf.dispose([h1, h2, zt1, zt2, basis]);
  });

  it('when dsr.on is h and h and zt differ in width, then it throws naming both shapes', () => {
    const [h, zt] = [randomMatrix(1, 4, 6), randomMatrix(2, 4, 8)];
    const basis = tf.eye(8) as Tensor2D;
    expect(() =>
      ssdObjective({ h1: h, h2: h, zt1: zt, zt2: zt }, { dsr: { coeff: 1, target: { basis, slice: [0], scale: 10 }, on: 'h' } }),
    ).toThrow(/h1/);
    tf.dispose([h, zt, basis]);
  });
});
