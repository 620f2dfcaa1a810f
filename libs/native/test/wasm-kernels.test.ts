// Tests of @fedssd/tensor's wasm replacement kernels (Conv2DBackpropInput, broadcast Tile),
// kept here because their author owns only libs/tensor/src/wasm-kernels/.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradKernels, wasmGradKernelConfigs } from '@fedssd/tensor';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from './compare.js';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

async function on(backend: string, fn: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = fn();
  const v = Float32Array.from(await t.data());
  t.dispose();
  return v;
}

function input(shape: number[], seed: number): () => tf.Tensor {
  return () => tf.randomUniform(shape, -1, 1, 'float32', seed);
}

describe('wasm replacement kernels', () => {
  beforeAll(async () => {
    setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    registerWasmGradKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('registers our Conv2DBackpropInput in place of the package kernel', () => {
    const ours = wasmGradKernelConfigs.find((k) => k.kernelName === tf.Conv2DBackpropInput);
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')?.kernelFunc).toBe(ours?.kernelFunc);
  });

  it.each([
    { x: [2, 7, 5, 1], k: 3, co: 4, stride: 1, pad: 'same' as Pad },
    { x: [2, 8, 6, 3], k: 3, co: 8, stride: 2, pad: 'same' as Pad },
    { x: [1, 9, 9, 8], k: 3, co: 5, stride: 2, pad: 'valid' as Pad },
    { x: [4, 6, 7, 3], k: 1, co: 8, stride: 2, pad: 'valid' as Pad },
    {
      x: [2, 10, 10, 8],
      k: 3,
      co: 8,
      stride: 2,
      pad: [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ] as Pad,
    },
    {
      x: [1, 5, 8, 1],
      k: 5,
      co: 3,
      stride: 1,
      pad: [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ] as Pad,
    },
    { x: [4, 8, 8, 8], k: 3, co: 8, stride: 1, pad: 'valid' as Pad },
  ])('when x=$x k=$k co=$co stride=$stride pad=$pad, Conv2DBackpropInput on wasm equals the cpu kernel', async (c) => {
    const before = tf.memory().numTensors;
    const run = (): tf.Tensor =>
      tf.tidy(() => {
        const w = input([c.k, c.k, c.x[3] as number, c.co], 2)() as tf.Tensor4D;
        const y = tf.conv2d(tf.zeros(c.x as [number, number, number, number]) as tf.Tensor4D, w, c.stride, c.pad as never);
        const dy = input(y.shape, 3)();
        return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, {
          strides: c.stride,
          pad: c.pad,
          dataFormat: 'NHWC',
          inputShape: c.x,
        } as never) as tf.Tensor;
      });
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    expectClose(wasm, cpu, 1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    { shape: [1, 1, 1, 8], reps: [4, 3, 3, 1] },
    { shape: [2, 3], reps: [2, 2] },
    { shape: [3, 1, 2], reps: [1, 4, 1] },
  ])('when tiling $shape by $reps on wasm, it equals the cpu kernel', async (c) => {
    const ours = wasmGradKernelConfigs.find((k) => k.kernelName === tf.Tile);
    expect(tf.getKernel(tf.Tile, 'wasm')?.kernelFunc).toBe(ours?.kernelFunc);
    const run = (): tf.Tensor => tf.tidy(() => tf.tile(input(c.shape, 4)(), c.reps));
    expect(await on('wasm', run)).toEqual(await on('cpu', run));
  });
});
