import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackpropFilterFromOps, initBackend, registerWasmGradKernels } from '../src/index.js';
import { onBackend, randomTensor, relativeError } from './helpers.js';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  stride: number | [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 7, 5, 1], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { x: [2, 7, 5, 3], k: [3, 3], co: 8, stride: 2, pad: 'same' },
  { x: [1, 9, 6, 8], k: [3, 2], co: 3, stride: 1, pad: 'valid' },
  { x: [3, 8, 8, 3], k: [3, 3], co: 5, stride: 2, pad: 'valid' },
  { x: [2, 6, 7, 8], k: [1, 1], co: 8, stride: 1, pad: 'valid' },
  { x: [2, 6, 7, 3], k: [1, 1], co: 2, stride: 2, pad: 'same' },
  { x: [2, 6, 5, 3], k: [3, 3], co: 4, stride: [1, 2], pad: 1 },
  {
    x: [1, 6, 6, 1],
    k: [5, 3],
    co: 2,
    stride: 2,
    pad: [
      [0, 0],
      [2, 1],
      [0, 1],
      [0, 0],
    ],
  },
];

describe('wasm gradient kernels', () => {
  beforeAll(async () => {
    const info = await initBackend('wasm');
    expect(info.kind).toBe('wasm');
  });

  it.each(cases)('Conv2DBackpropFilter matches cpu for x=$x k=$k co=$co stride=$stride pad=$pad', async (c) => {
    const before = tf.memory().numTensors;
    const x = randomTensor(c.x, 1);
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
    const y = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.stride, c.pad));
    const dy = randomTensor(y.shape, 2);
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap;
    const run = (): tf.Tensor => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(wasm.shape).toEqual(filterShape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
    tf.dispose([x, y, dy]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when dataFormat is NCHW, then Conv2DBackpropFilter names the attribute', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
      const dy = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
      expect(() => conv2dBackpropFilterFromOps(x, dy, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 1, 1] })).toThrow(
        /dataFormat must be 'NHWC'/,
      );
    });
  });

  it('UnsortedSegmentSum (gather gradient) matches cpu, dropping out-of-range ids', async () => {
    const before = tf.memory().numTensors;
    const x = randomTensor([6, 3, 2], 3);
    const ids = tf.tensor1d([2, 0, 2, -1, 4, 1], 'int32');
    const run = (): tf.Tensor => tf.unsortedSegmentSum(x, ids, 4);
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(wasm.shape).toEqual([4, 3, 2]);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
    // The gather gradient goes through it as well.
    const params = randomTensor([5, 4], 4);
    const gatherGrad = (): tf.Tensor =>
      tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.gather(p, tf.tensor1d([1, 3, 1, 0], 'int32')))))(params);
    const cpuGrad = await onBackend('cpu', gatherGrad);
    const wasmGrad = await onBackend('wasm', gatherGrad);
    expect(relativeError(wasmGrad.values, cpuGrad.values)).toBeLessThan(1e-5);
    tf.dispose([x, ids, params]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('registering again is a no-op', () => {
    expect(registerWasmGradKernels()).toEqual([]);
  });

  it('gradients of a small conv-BN-ReLU-maxpool net on wasm equal cpu gradients', async () => {
    const before = tf.memory().numTensors;
    const x = randomTensor([3, 10, 10, 2], 5);
    const params = [
      randomTensor([3, 3, 2, 6], 6, 0.5),
      randomTensor([3, 3, 6, 8], 7, 0.3),
      randomTensor([8], 8),
      randomTensor([8], 9),
      randomTensor([8, 4], 10),
    ];
    const loss = (k1: tf.Tensor, k2: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, w: tf.Tensor): tf.Scalar => {
      let h: tf.Tensor4D = tf.conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'same');
      h = tf.conv2d(h, k2 as tf.Tensor4D, 2, 'same');
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.maxPool(tf.relu(tf.batchNorm(h, mean, variance, beta, gamma, 1e-5)) as tf.Tensor4D, 2, 2, 'valid');
      return tf.mean(tf.square(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, w as tf.Tensor2D)));
    };
    const grads = (): tf.Tensor =>
      tf.concat(
        tf
          .grads(loss as (...a: tf.Tensor[]) => tf.Tensor)(params)
          .map((g) => tf.reshape(g, [-1])),
      );
    const cpu = await onBackend('cpu', grads);
    const wasm = await onBackend('wasm', grads);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
    tf.dispose([x, ...params]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
