import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_PARALLEL_MIN_ELEMENTS, registerNativeCpuKernels, unregisterNativeCpuKernels } from '@fedssd/native';
import { createModel, trainLocal, type LocalTrainConfig, type ModelSpec } from '@fedssd/ssl';
import { createRng, type Weights } from '@fedssd/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeAvailable } from './native-available.js';

// The small preset's layers at a size the stock cpu kernels train in about a second.
const spec: ModelSpec = { kind: 'small', inputShape: [8, 8, 1], featureDim: 128 };
const config: LocalTrainConfig = {
  epochs: 2,
  batchSize: 4,
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
  objective: { uniformity: 1 },
  seed: 5,
};

function images(count: number): Float32Array {
  const rng = createRng(11);
  return Float32Array.from({ length: count * 64 }, () => rng.next());
}

async function trainOnce(): Promise<Weights> {
  const model = createModel(spec, 3);
  await trainLocal(model, { images: images(8), count: 8, shape: spec.inputShape }, config);
  const weights = model.getWeights();
  model.dispose();
  return weights;
}

describe.skipIf(!nativeAvailable)('training the small model on the native cpu path', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerNativeCpuKernels({ threads: 2 });
  });
  afterAll(() => registerNativeCpuKernels({ threads: 2 }));

  it('when trained twice with the same seed, then the weights are bitwise identical', async () => {
    const before = tf.memory().numTensors;
    const first = await trainOnce();
    const second = await trainOnce();
    expect(second.map((w) => w.name)).toEqual(first.map((w) => w.name));
    first.forEach((w, i) => expect(second[i]?.values).toEqual(w.values));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when the memory-bound kernels are spread over the threads (threshold 0) or not at all, then the trained weights are bitwise identical', async () => {
    // Threshold 0 sends every elementwise, pooling and batch-norm call of this small model
    // through the task pool; the thread count stays 2 for both runs.
    registerNativeCpuKernels({ threads: 2, parallelMinElements: Number.MAX_SAFE_INTEGER });
    const serial = await trainOnce();
    registerNativeCpuKernels({ threads: 2, parallelMinElements: 0 });
    const spread = await trainOnce();
    registerNativeCpuKernels({ threads: 2, parallelMinElements: DEFAULT_PARALLEL_MIN_ELEMENTS });
    serial.forEach((w, i) => expect(spread[i]?.values, w.name).toEqual(w.values));
  });

  it('when four steps run natively and on the stock kernels, then the weights agree within 1e-3 of their scale', async () => {
    const native = await trainOnce();
    unregisterNativeCpuKernels();
    const stock = await trainOnce();
    registerNativeCpuKernels({ threads: 2 });
    let moved = 0;
    native.forEach((w, i) => {
      const ref = stock[i];
      expect(ref?.name).toBe(w.name);
      let scale = 1e-3;
      let worst = 0;
      for (let j = 0; j < w.values.length; j += 1) {
        scale = Math.max(scale, Math.abs(ref?.values[j] ?? 0));
        worst = Math.max(worst, Math.abs((w.values[j] as number) - (ref?.values[j] ?? NaN)));
      }
      expect(worst / scale, w.name).toBeLessThan(1e-3);
      moved += worst;
    });
    expect(Number.isFinite(moved)).toBe(true);
  });
});
