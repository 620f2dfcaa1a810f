import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { kernelStats } from '@fedssd/native';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, expectClose, seeded } from './compare.js';
import { nativeAvailable } from './native-available.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

const cases: Array<{ n: number; hw: [number, number]; ci: number; co: number; k: number; stride: 1 | 2; pad: Pad }> = [
  { n: 1, hw: [7, 7], ci: 1, co: 4, k: 3, stride: 1, pad: 'same' },
  { n: 4, hw: [8, 6], ci: 3, co: 8, k: 3, stride: 2, pad: 'same' },
  { n: 4, hw: [9, 9], ci: 8, co: 5, k: 3, stride: 2, pad: 'valid' },
  { n: 1, hw: [6, 7], ci: 3, co: 8, k: 1, stride: 2, pad: 'valid' },
  {
    n: 4,
    hw: [10, 10],
    ci: 8,
    co: 8,
    k: 3,
    stride: 2,
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  {
    n: 1,
    hw: [5, 8],
    ci: 1,
    co: 3,
    k: 5,
    stride: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
  },
  { n: 4, hw: [8, 8], ci: 8, co: 8, k: 3, stride: 1, pad: 'valid' },
];

const nativeCalls = (name: string): number => kernelStats.get(name)?.native ?? 0;

describe.skipIf(!nativeAvailable)('native conv2d kernels on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(cases)('when n=$n hw=$hw ci=$ci co=$co k=$k stride=$stride, forward, dx and dw equal the stock kernels', (c) => {
    const before = tf.memory().numTensors;
    const calls = [tf.Conv2D, tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter].map(nativeCalls);
    const [native, reference] = bothWays(() => {
      const x = seeded([c.n, c.hw[0], c.hw[1], c.ci], 1) as tf.Tensor4D;
      const w = seeded([c.k, c.k, c.ci, c.co], 2) as tf.Tensor4D;
      const y = tf.conv2d(x, w, c.stride, c.pad);
      const probe = seeded(y.shape, 3);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), probe)),
      )([x, w]);
      return [y, dx as tf.Tensor, dw as tf.Tensor];
    });
    for (let i = 0; i < 3; i += 1) expectClose(native[i] as Float32Array, reference[i] as Float32Array);
    expect(tf.memory().numTensors).toBe(before);
    // Every kernel really ran natively (a silent fallback would make this test vacuous).
    const after = [tf.Conv2D, tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter].map(nativeCalls);
    after.forEach((n, i) => expect(n).toBeGreaterThan(calls[i] as number));
  });

  it('when the data format is NCHW, then the call falls back to the stock kernel and still answers right', () => {
    const fallback0 = kernelStats.get(tf.Conv2D)?.fallback ?? 0;
    const [native, reference] = bothWays(() =>
      tf.conv2d(seeded([1, 2, 5, 5], 4) as tf.Tensor4D, seeded([3, 3, 2, 2], 5) as tf.Tensor4D, 1, 'same', 'NCHW'),
    );
    expect(native[0]).toEqual(reference[0]);
    expect(kernelStats.get(tf.Conv2D)?.fallback ?? 0).toBeGreaterThan(fallback0);
  });
});
