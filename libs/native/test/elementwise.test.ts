import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { kernelStats } from '@fedssd/native';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, expectClose, seeded } from './compare.js';
import { nativeAvailable } from './native-available.js';

const nativeCalls = (name: string): number => kernelStats.get(name)?.native ?? 0;

const binaries: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  [tf.Add, tf.add],
  [tf.Sub, tf.sub],
  [tf.Multiply, tf.mul],
  [tf.RealDiv, tf.div],
  [tf.SquaredDifference, tf.squaredDifference],
  [tf.Maximum, tf.maximum],
];
const shapePairs: Array<[number[], number[]]> = [
  [
    [4, 3, 3, 8],
    [4, 3, 3, 8],
  ],
  [[4, 3, 3, 8], [8]],
  [
    [1, 1, 1, 8],
    [4, 3, 3, 8],
  ],
  [[4, 3, 3, 8], []],
  [
    [5, 1],
    [1, 6],
  ],
  [
    [2, 3, 1, 4],
    [3, 5, 1],
  ],
  [[], [7]],
];

describe.skipIf(!nativeAvailable)('native elementwise, reduction and tile kernels on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(binaries)('when %s broadcasts over several shape pairs, it equals the stock kernel', (name, op) => {
    const before = tf.memory().numTensors;
    const calls = nativeCalls(name);
    for (const [sa, sb] of shapePairs) {
      // b kept away from 0 so division is well conditioned.
      const [native, reference] = bothWays(() => op(seeded(sa, 1), tf.add(tf.abs(seeded(sb, 2)), 0.5)));
      expectClose(native[0] as Float32Array, reference[0] as Float32Array, 1e-6);
    }
    expect(nativeCalls(name)).toBeGreaterThanOrEqual(calls + shapePairs.length);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when a binary op gets int32 inputs, then it falls back and keeps the integer answer', () => {
    const fallback0 = kernelStats.get(tf.Add)?.fallback ?? 0;
    const y = tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32'));
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([4, 6]);
    expect(kernelStats.get(tf.Add)?.fallback ?? 0).toBeGreaterThan(fallback0);
    y.dispose();
  });

  it.each([
    ['relu', (x: tf.Tensor) => tf.relu(x)],
    ['step (relu gradient)', (x: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x)],
    ['square', tf.square],
    ['neg', tf.neg],
    ['exp', tf.exp],
    ['sqrt', (x: tf.Tensor) => tf.sqrt(tf.abs(x))],
    ['rsqrt', (x: tf.Tensor) => tf.rsqrt(tf.add(tf.abs(x), 0.1))],
  ] as Array<[string, (x: tf.Tensor) => tf.Tensor]>)('when applying %s, it equals the stock kernel', (_name, op) => {
    const [native, reference] = bothWays(() => op(seeded([3, 5, 7], 3)));
    expectClose(native[0] as Float32Array, reference[0] as Float32Array, 1e-6);
  });

  it('when relu and mean are differentiated, the shortened gradients run and equal the stock ones', () => {
    const relu0 = nativeCalls('Relu(gradient)');
    const mean0 = nativeCalls('Mean(gradient)');
    const [native, reference] = bothWays(() => {
      const x = tf.concat([seeded([2, 3, 3, 4], 9), tf.zeros([1, 3, 3, 4])]);
      const probe = seeded([3, 4], 10);
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mean(tf.relu(v), [0, 2]), probe)))(x);
    });
    // Equal up to the sign of zero (dy * 0 is -0 for negative dy; the short path writes +0).
    expectClose(native[0] as Float32Array, reference[0] as Float32Array, 1e-7);
    expect(nativeCalls('Relu(gradient)')).toBeGreaterThan(relu0);
    expect(nativeCalls('Mean(gradient)')).toBeGreaterThan(mean0);
  });

  it.each([
    { shape: [4, 5, 5, 8], axes: [0, 1, 2], keep: false },
    { shape: [4, 5, 5, 8], axes: [1, 2], keep: true },
    { shape: [6, 9], axes: [1], keep: false },
    { shape: [6, 9], axes: [0, 1], keep: false },
    { shape: [3, 4, 5], axes: [0, 2], keep: false },
  ])('when summing and averaging $shape over $axes (keepDims $keep), both equal the stock kernels', (c) => {
    const before = tf.memory().numTensors;
    const [native, reference] = bothWays(() => [tf.sum(seeded(c.shape, 4), c.axes, c.keep), tf.mean(seeded(c.shape, 5), c.axes, c.keep)]);
    expectClose(native[0] as Float32Array, reference[0] as Float32Array, 1e-6);
    expectClose(native[1] as Float32Array, reference[1] as Float32Array, 1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    { shape: [1, 1, 1, 8], reps: [4, 3, 3, 1] },
    { shape: [2, 3], reps: [2, 2] },
    { shape: [3, 1, 2], reps: [1, 4, 3] },
  ])('when tiling $shape by $reps, it equals the stock kernel', (c) => {
    const calls = nativeCalls(tf.Tile);
    const [native, reference] = bothWays(() => tf.tile(seeded(c.shape, 6), c.reps));
    expect(native[0]).toEqual(reference[0]);
    expect(nativeCalls(tf.Tile)).toBeGreaterThan(calls);
  });
});

describe.skipIf(!nativeAvailable)('native slice and pad kernels on the cpu backend', () => {
  it.each([
    { shape: [4, 6, 6, 3], begin: [0, 1, 1, 0], size: [4, 4, 4, 3] },
    { shape: [5, 7], begin: [2, 0], size: [-1, 3] },
    { shape: [3, 4, 5], begin: [1, 1, 1], size: [1, 2, 3] },
  ])('when slicing $shape from $begin by $size, it equals the stock kernel', (c) => {
    const calls = nativeCalls(tf.Slice);
    const [native, reference] = bothWays(() => tf.slice(seeded(c.shape, 7), c.begin, c.size));
    expect(native[0]).toEqual(reference[0]);
    expect(nativeCalls(tf.Slice)).toBeGreaterThan(calls);
  });

  it.each([
    {
      shape: [2, 5, 5, 3],
      pads: [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      value: 0,
    },
    {
      shape: [3, 4],
      pads: [
        [2, 0],
        [1, 3],
      ],
      value: -1.5,
    },
  ] as Array<{ shape: number[]; pads: Array<[number, number]>; value: number }>)(
    'when padding $shape by $pads with $value, values and gradient equal the stock kernels',
    (c) => {
      const calls = nativeCalls(tf.PadV2);
      const [native, reference] = bothWays(() => {
        const x = seeded(c.shape, 8);
        const y = tf.pad(x, c.pads, c.value);
        const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.pad(v, c.pads, c.value))))(x);
        return [y, dx];
      });
      expect(native[0]).toEqual(reference[0]);
      expectClose(native[1] as Float32Array, reference[1] as Float32Array, 1e-6);
      expect(nativeCalls(tf.PadV2)).toBeGreaterThan(calls);
    },
  );
});
