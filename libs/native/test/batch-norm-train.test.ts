import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL, kernelStats, RELU_GRAD_KERNEL } from '@fedssd/native';
import {
  BATCH_NORM_TRAIN_GRAD_KERNEL,
  BATCH_NORM_TRAIN_KERNEL,
  batchNormTrain,
  createModel,
  RELU_GRAD_KERNEL as SSL_RELU_GRAD_KERNEL,
} from '@fedssd/ssl';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, expectClose, seeded } from './compare.js';
import { nativeAvailable } from './native-available.js';

const nativeCalls = (name: string): number => kernelStats.get(name)?.native ?? 0;

describe.skipIf(!nativeAvailable)('native training batch-norm and relu-mask kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('registers under the names @fedssd/ssl looks up', () => {
    expect([BN_TRAIN_KERNEL, BN_TRAIN_GRAD_KERNEL, RELU_GRAD_KERNEL]).toEqual([
      BATCH_NORM_TRAIN_KERNEL,
      BATCH_NORM_TRAIN_GRAD_KERNEL,
      SSL_RELU_GRAD_KERNEL,
    ]);
  });

  it('when a narrow ResNet-18 takes gradients natively and with the portable ops, then they agree and the relu-mask kernel ran', () => {
    const before = tf.memory().numTensors;
    const calls = nativeCalls(RELU_GRAD_KERNEL);
    const model = createModel({ kind: 'resnet18', inputShape: [8, 8, 3], featureDim: 32, width: 1 / 16 }, 4);
    const [native, reference] = bothWays(() => {
      const x = tf.add(seeded([4, 8, 8, 3], 5), 0.5) as tf.Tensor4D;
      const probe = seeded([4, 32], 6);
      const { value, grads } = tf.variableGrads(() => {
        const { zt } = model.forward(x, true);
        return tf.sum(tf.mul(zt, probe)) as tf.Scalar;
      }, model.trainable as tf.Variable[]);
      return [value, ...model.trainable.map((v) => grads[v.name] as tf.Tensor)];
    });
    native.forEach((v, i) => expectClose(v, reference[i] as Float32Array, 1e-4));
    expect(nativeCalls(RELU_GRAD_KERNEL)).toBeGreaterThan(calls);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    { shape: [6, 5], relu: false },
    { shape: [6, 5], relu: true },
    { shape: [4, 3, 3, 8], relu: false },
    { shape: [4, 5, 5, 8], relu: true },
    { shape: [2, 4, 4, 3], relu: true },
  ])('when x is $shape (relu $relu), output, statistics and gradients equal the portable TF.js-op version', (c) => {
    const before = tf.memory().numTensors;
    const forward = nativeCalls(BN_TRAIN_KERNEL);
    const backward = nativeCalls(BN_TRAIN_GRAD_KERNEL);
    const channels = c.shape[c.shape.length - 1] as number;
    const [native, reference] = bothWays(() => {
      // Offset and spread so the statistics matter; gamma away from 1, beta away from 0.
      const x = tf.add(tf.mul(seeded(c.shape, 1), 2.5), 0.7);
      const gamma = tf.add(seeded([channels], 2), 1) as tf.Tensor1D;
      const beta = seeded([channels], 3) as tf.Tensor1D;
      const probe = seeded(c.shape, 4);
      const fused = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        const out = batchNormTrain(a, g as tf.Tensor1D, b as tf.Tensor1D, { epsilon: 1e-5, relu: c.relu });
        tf.dispose([out.mean, out.variance]);
        return out.y;
      };
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, { epsilon: 1e-5, relu: c.relu });
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fused(a, g, b), probe)))([x, gamma, beta]);
      return [y, mean, variance, ...grads];
    });
    native.forEach((v, i) => expectClose(v, reference[i] as Float32Array, 1e-5));
    expect(nativeCalls(BN_TRAIN_KERNEL)).toBeGreaterThan(forward);
    expect(nativeCalls(BN_TRAIN_GRAD_KERNEL)).toBeGreaterThan(backward);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when the input breaks the contract (scale of the wrong length), then the kernel throws instead of guessing', () => {
    const x = tf.ones([4, 3]);
    const bad = tf.ones([2]) as tf.Tensor1D;
    expect(() => batchNormTrain(x, bad, bad, { epsilon: 1e-5, relu: false })).toThrow(/FedssdBatchNormTrain/);
    tf.dispose([x, bad]);
  });
});
