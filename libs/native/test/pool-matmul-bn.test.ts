import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { kernelStats } from '@fedssd/native';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, expectClose, seeded } from './compare.js';
import { nativeAvailable } from './native-available.js';

const nativeCalls = (name: string): number => kernelStats.get(name)?.native ?? 0;

describe.skipIf(!nativeAvailable)('native pool, matmul and batch-norm kernels on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    { shape: [1, 6, 6, 1], size: 2, stride: 2, pad: 'valid' as const },
    { shape: [4, 7, 5, 3], size: 3, stride: 2, pad: 'same' as const },
    { shape: [4, 8, 8, 8], size: 2, stride: 1, pad: 'valid' as const },
    // Channel counts that do and do not fill whole vector registers, overlapping and disjoint windows.
    { shape: [2, 9, 9, 37], size: 3, stride: 2, pad: 'same' as const },
    { shape: [3, 10, 10, 32], size: 2, stride: 2, pad: 'valid' as const },
  ])('when max-pooling $shape (size $size, stride $stride, $pad), values and gradient equal the stock kernels', (c) => {
    const before = tf.memory().numTensors;
    const calls = nativeCalls(tf.MaxPoolGrad);
    const [native, reference] = bothWays(() => {
      // relu makes ties (zeros) common, as in the real model.
      const x = tf.relu(seeded(c.shape, 6)) as tf.Tensor4D;
      const y = tf.maxPool(x, c.size, c.stride, c.pad);
      const probe = seeded(y.shape, 7);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.stride, c.pad), probe)))(x);
      return [y, dx];
    });
    expectClose(native[0] as Float32Array, reference[0] as Float32Array);
    expectClose(native[1] as Float32Array, reference[1] as Float32Array);
    expect(nativeCalls(tf.MaxPoolGrad)).toBeGreaterThan(calls);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [2, 4, 6], b: [2, 6, 3], ta: false, tb: false },
    { a: [128, 128], b: [128, 64], ta: true, tb: false },
  ])('when multiplying $a x $b (transpose $ta/$tb), the product and its gradients equal the stock kernel', (c) => {
    const before = tf.memory().numTensors;
    const [native, reference] = bothWays(() => {
      const a = seeded(c.a, 8);
      const b = seeded(c.b, 9);
      const y = tf.matMul(a, b, c.ta, c.tb);
      const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q, c.ta, c.tb))))([a, b]);
      return [y, da as tf.Tensor, db as tf.Tensor];
    });
    for (let i = 0; i < 3; i += 1) expectClose(native[i] as Float32Array, reference[i] as Float32Array);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when one side of a batched matmul has no batch dims, the broadcast product equals the stock kernel', () => {
    // (TF.js's own BatchMatMul gradient does not reduce broadcast batches, so forward only.)
    const [native, reference] = bothWays(() => tf.matMul(seeded([2, 4, 6], 13), seeded([3, 6], 14), false, true));
    expectClose(native[0] as Float32Array, reference[0] as Float32Array);
  });

  it.each([{ shape: [4, 5, 5, 8] }, { shape: [16, 3] }, { shape: [1, 3, 3, 1] }])(
    'when batch-normalising $shape with per-channel statistics, the output equals the stock kernel',
    ({ shape }) => {
      const before = tf.memory().numTensors;
      const calls = nativeCalls(tf.FusedBatchNorm);
      const c = shape[shape.length - 1] as number;
      const [native, reference] = bothWays(() => {
        const x = seeded(shape, 10);
        const axes = shape.slice(0, -1).map((_, i) => i);
        const { mean, variance } = tf.moments(x, axes);
        return tf.batchNorm(x, mean, variance, seeded([c], 11), tf.add(seeded([c], 12), 2), 1e-5);
      });
      expectClose(native[0] as Float32Array, reference[0] as Float32Array);
      expect(nativeCalls(tf.FusedBatchNorm)).toBeGreaterThan(calls);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.each([{ shape: [4, 5, 5, 8] }, { shape: [16, 3] }])(
    'when training-mode batch norm ($shape) is differentiated, all five gradients equal the stock gradient',
    ({ shape }) => {
      const before = tf.memory().numTensors;
      const calls = nativeCalls('FusedBatchNorm(gradient)');
      const c = shape[shape.length - 1] as number;
      const [native, reference] = bothWays(() => {
        const x = seeded(shape, 20);
        const gamma = tf.add(seeded([c], 21), 1.5);
        const beta = seeded([c], 22);
        const probe = seeded(shape, 23);
        const axes = shape.slice(0, -1).map((_, i) => i);
        // As the model does it: batch statistics from tf.moments, so dmean and dvariance flow on into x.
        const loss = (v: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
          const { mean, variance } = tf.moments(v, axes);
          return tf.sum(tf.mul(tf.batchNorm(v, mean, variance, b, g, 1e-5), probe));
        };
        return tf.grads(loss)([x, gamma, beta]);
      });
      for (let i = 0; i < 3; i += 1) expectClose(native[i] as Float32Array, reference[i] as Float32Array, 1e-4);
      expect(nativeCalls('FusedBatchNorm(gradient)')).toBeGreaterThan(calls);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('when batch norm is differentiated with given statistics, dmean and dvariance equal the stock gradient', () => {
    const [native, reference] = bothWays(() => {
      const x = seeded([6, 4], 24);
      const mean = seeded([4], 25);
      const variance = tf.add(tf.abs(seeded([4], 26)), 0.5);
      const scale = seeded([4], 27);
      const offset = seeded([4], 28);
      const f = (m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor, xx: tf.Tensor): tf.Scalar =>
        tf.sum(tf.square(tf.batchNorm(xx, m, v, o, s, 1e-3)));
      return tf.grads(f)([mean, variance, scale, offset, x]);
    });
    for (let i = 0; i < 5; i += 1) expectClose(native[i] as Float32Array, reference[i] as Float32Array, 1e-4);
  });
});
