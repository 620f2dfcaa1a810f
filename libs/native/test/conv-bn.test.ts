import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { CONV_BN_KERNEL, kernelStats, registerNativeCpuKernels } from '@fedssd/native';
import { CONV_BN_KERNEL as SSL_CONV_BN_KERNEL, createModel, type SslModel } from '@fedssd/ssl';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, expectClose, seeded } from './compare.js';
import { nativeAvailable } from './native-available.js';

const fusedCalls = (): number => kernelStats.get(CONV_BN_KERNEL)?.native ?? 0;

/** Runs `fn` with the native kernels but without the fused conv+bn kernel (the separate-op path). */
function withoutFused<T>(fn: () => T): T {
  tf.unregisterKernel(CONV_BN_KERNEL, 'cpu');
  try {
    return fn();
  } finally {
    registerNativeCpuKernels({ threads: 2 });
  }
}

/** Gives every batch norm non-trivial running statistics and affine parameters. */
function perturbStatistics(model: SslModel): void {
  const weights = model.getWeights().map((w, i) => {
    if (!/(gamma|beta|runningMean|runningVar)$/.test(w.name)) return w;
    const values = w.values.map((_, j) => {
      const u = Math.sin(i * 131 + j * 17) * 0.5; // deterministic, in [-0.5, 0.5]
      return w.name.endsWith('runningVar') ? 0.5 + u * u * 4 : w.name.endsWith('gamma') ? 1 + u : u;
    });
    return { ...w, values };
  });
  model.setWeights(weights);
}

const inference = (model: SslModel, x: () => tf.Tensor4D) => (): tf.Tensor[] => {
  const { h, zt } = model.forward(x(), false);
  return [h, zt];
};

describe.skipIf(!nativeAvailable)('native fused inference conv + batch norm (+ residual, + relu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerNativeCpuKernels({ threads: 2 });
  });

  it('registers under the name @fedssd/ssl looks up', () => {
    expect(CONV_BN_KERNEL).toBe(SSL_CONV_BN_KERNEL);
  });

  it.each([
    {
      kind: 'resnet18' as const,
      spec: { kind: 'resnet18' as const, inputShape: [16, 16, 3] as [number, number, number], featureDim: 64, width: 1 / 8 },
    },
    { kind: 'small' as const, spec: { kind: 'small' as const, inputShape: [12, 12, 1] as [number, number, number], featureDim: 128 } },
  ])(
    'when a $kind model runs inference, then the fused path equals the separate native ops and the stock cpu kernels within 1e-5',
    ({ spec }) => {
      const model = createModel(spec, 3);
      perturbStatistics(model);
      const before = tf.memory().numTensors;
      const calls = fusedCalls();
      const x = (): tf.Tensor4D => tf.add(seeded([5, ...spec.inputShape], 9), 0.3) as tf.Tensor4D;
      const [fused, stock] = bothWays(inference(model, x));
      expect(fusedCalls()).toBeGreaterThan(calls);
      const [separate] = withoutFused(() => bothWays(inference(model, x)));
      fused.forEach((v, i) => {
        expectClose(v, stock[i] as Float32Array, 1e-5);
        expectClose(v, separate[i] as Float32Array, 1e-5);
      });
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    },
  );

  it('when the kernel gets input it cannot fuse (a broadcast residual), then it falls back to the separate kernels, same answer, no leaks', () => {
    const fallbacks = kernelStats.get(CONV_BN_KERNEL)?.fallback ?? 0;
    const before = tf.memory().numTensors;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const t = {
      x: seeded([2, 6, 6, 4], 1) as tf.Tensor4D,
      filter: seeded([3, 3, 4, 8], 2) as tf.Tensor4D,
      mean: seeded([8], 3) as tf.Tensor1D,
      variance: tf.tidy(() => tf.add(seeded([8], 4), 1.5)) as tf.Tensor1D,
      offset: seeded([8], 5) as tf.Tensor1D,
      scale: seeded([8], 6) as tf.Tensor1D,
      residual: seeded([1, 1, 1, 8], 7),
    };
    const want = tf.tidy(() =>
      tf.relu(tf.add(tf.batchNorm(tf.conv2d(t.x, t.filter, 2, pad), t.mean, t.variance, t.offset, t.scale, 1e-5), t.residual)),
    );
    const attrs = { strides: 2, pad, dataFormat: 'NHWC', dilations: 1, varianceEpsilon: 1e-5, relu: true };
    const got = tf.engine().runKernel<tf.Tensor>(CONV_BN_KERNEL, t, attrs as unknown as tf.NamedAttrMap);
    expectClose(got.dataSync() as Float32Array, want.dataSync() as Float32Array, 1e-6);
    tf.dispose([got, want, ...Object.values(t)]);
    expect(kernelStats.get(CONV_BN_KERNEL)?.fallback ?? 0).toBeGreaterThan(fallbacks);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when the same inference runs twice, then the bytes are identical', () => {
    const model = createModel({ kind: 'resnet18', inputShape: [16, 16, 3], featureDim: 64, width: 1 / 8 }, 5);
    perturbStatistics(model);
    const run = (): Float32Array =>
      tf.tidy(() => model.forward(tf.add(seeded([4, 16, 16, 3], 2), 0.1) as tf.Tensor4D, false).zt).dataSync() as Float32Array;
    expect(Buffer.from(run().buffer)).toEqual(Buffer.from(run().buffer));
    model.dispose();
  });

  it('when a filter changes between calls (new tensor, or its array written in place), then the convolution sees the new values', () => {
    // The reordered-filter cache compares bytes, so neither a new filter of the same shape nor a
    // buffer mutated behind TF.js's back can reuse a stale reorder.
    const x = seeded([2, 9, 9, 16], 1);
    const values = Float32Array.from(seeded([3, 3, 16, 32], 2).dataSync());
    const conv = (f: tf.Tensor): Float32Array[] => bothWays(() => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same')).flat();
    const first = tf.tensor4d(values, [3, 3, 16, 32]);
    const [a, aRef] = conv(first);
    const [b, bRef] = conv(tf.mul(first, -2));
    values[7] = (values[7] as number) + 3; // the cpu backend holds `values` itself: written in place
    const [c, cRef] = conv(first);
    for (const [got, want] of [
      [a, aRef],
      [b, bRef],
      [c, cRef],
    ] as const)
      expectClose(got as Float32Array, want as Float32Array, 1e-5);
    expect(c).not.toEqual(a);
  });
});
