import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { configureBufferPool, poolStats, registerNativeCpuKernels, type BufferPoolOptions } from '@fedssd/native';
import { createModel, trainLocal, type LocalTrainConfig, type ModelSpec } from '@fedssd/ssl';
import { createRng, type Weights } from '@fedssd/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeAvailable } from './native-available.js';

// The full SSD objective (DSR and PD on), so every kernel of a federated step runs.
const config = (basis: tf.Tensor2D): LocalTrainConfig => ({
  epochs: 1,
  batchSize: 4,
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
  objective: { uniformity: 1, dsr: { coeff: 0.5, target: { basis, slice: [0, 1], scale: 10 } }, pd: { coeff: 0.5 } },
  seed: 5,
});

function images(count: number, spec: ModelSpec): Float32Array {
  const rng = createRng(11);
  const size = spec.inputShape.reduce((p, d) => p * d, 1);
  return Float32Array.from({ length: count * size }, () => rng.next());
}

async function trainOnce(spec: ModelSpec): Promise<Weights> {
  const model = createModel(spec, 3);
  const basis = tf.eye(spec.featureDim) as tf.Tensor2D;
  await trainLocal(model, { images: images(8, spec), count: 8, shape: spec.inputShape }, config(basis));
  basis.dispose();
  const weights = model.getWeights();
  model.dispose();
  return weights;
}

/** A [n] float32 tensor made by a native kernel (relu), so its buffer comes from the pool. */
const pooledRelu = (n: number, offset: number): tf.Tensor => tf.tidy(() => tf.relu(tf.add(tf.range(0, n, 1, 'float32'), offset)));

describe.skipIf(!nativeAvailable)('output buffer reuse on the native cpu path', () => {
  let saved: BufferPoolOptions;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerNativeCpuKernels({ threads: 2 });
    // Every output is pooled here, so the tiny test models exercise every kernel's use of it.
    saved = configureBufferPool({ minElements: 1 });
  });
  afterAll(() => configureBufferPool(saved));

  it('when a pooled tensor is disposed, then the next output of its length reuses the buffer and is still right', () => {
    const a = pooledRelu(4096, 1);
    const reusedBefore = poolStats.reused;
    const releasedBefore = poolStats.released;
    a.dispose();
    expect(poolStats.released).toBeGreaterThan(releasedBefore);
    const b = pooledRelu(4096, 2);
    expect(poolStats.reused).toBeGreaterThan(reusedBefore);
    const v = b.dataSync();
    expect(v[0]).toBe(2);
    expect(v[4095]).toBe(4097);
    b.dispose();
  });

  it('when values read with dataSync or data are kept past dispose, then later outputs never overwrite them', async () => {
    const a = pooledRelu(4096, 1);
    const kept = a.dataSync();
    const keptAsync = await a.data();
    a.dispose();
    const others = [pooledRelu(4096, 100), pooledRelu(4096, 200)];
    expect(kept[10]).toBe(11);
    expect(keptAsync[4095]).toBe(4096);
    others.forEach((t) => t.dispose());
  });

  it('when a reshape shares the buffer, then disposing the original does not free it', () => {
    const a = pooledRelu(4096, 1);
    const r = tf.reshape(a, [64, 64]);
    a.dispose();
    const other = pooledRelu(4096, 500);
    expect(r.dataSync()[0]).toBe(1);
    expect(r.dataSync()[4095]).toBe(4096);
    other.dispose();
    r.dispose();
  });

  it('when the free list is over its limit, then the oldest free buffers leave it and the newest lengths are reused', () => {
    // Room for exactly the three newest lengths.
    configureBufferPool({ minElements: 1, maxFreeBytes: (4097 + 4098 + 4099) * 4, poison: false });
    // Four lengths released oldest first; the limit holds three, so the first one is evicted.
    // Inputs from user data (not pooled), so each relu below is exactly one pooled output.
    const inputs = new Map([4096, 4097, 4098, 4099].map((n) => [n, tf.tensor1d(new Float32Array(n).fill(1))] as const));
    const relu = (n: number): tf.Tensor => tf.relu(inputs.get(n)!);
    const made = [4096, 4097, 4098, 4099].map(relu);
    const droppedBefore = poolStats.dropped;
    made.forEach((t) => t.dispose());
    expect(poolStats.dropped - droppedBefore).toBe(1);
    const reusedBefore = poolStats.reused;
    const newest = relu(4099);
    expect(poolStats.reused - reusedBefore).toBe(1);
    const freshBefore = poolStats.fresh;
    const oldest = relu(4096);
    expect(poolStats.fresh - freshBefore).toBe(1);
    tf.dispose([newest, oldest, ...inputs.values()]);
    configureBufferPool({ minElements: 1, maxFreeBytes: 2 ** 30, poison: false });
  });

  it('when a pad output reuses a poisoned buffer, then its border is still the constant 0', () => {
    configureBufferPool({ minElements: 1, maxFreeBytes: 2 ** 30, poison: true });
    tf.dispose([pooledRelu(6 * 6 * 4, 1), pooledRelu(6 * 6 * 4, 2)]);
    const x = tf.ones([1, 4, 4, 4]);
    const padded = tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const v = padded.dataSync();
    expect(v.filter((e) => e === 0).length).toBe(6 * 6 * 4 - 4 * 4 * 4);
    expect(v.filter((e) => e === 1).length).toBe(4 * 4 * 4);
    tf.dispose([x, padded]);
    configureBufferPool({ minElements: 1, maxFreeBytes: 2 ** 30, poison: false });
  });

  const small: ModelSpec = { kind: 'small', inputShape: [8, 8, 1], featureDim: 128 };
  const resnet: ModelSpec = { kind: 'resnet18', inputShape: [8, 8, 3], featureDim: 32, width: 0.0625 };
  it.each([
    ['small', small],
    ['resnet18', resnet],
  ])(
    'when released buffers are filled with NaN before reuse, then %s trains to the same bytes as without reuse (no kernel reads stale output)',
    async (_name, spec) => {
      configureBufferPool({ minElements: 1, maxFreeBytes: 0, poison: false });
      const fresh = await trainOnce(spec);
      configureBufferPool({ minElements: 1, maxFreeBytes: 2 ** 30, poison: true });
      const reusedBefore = poolStats.reused;
      const poisoned = await trainOnce(spec);
      expect(poolStats.reused - reusedBefore).toBeGreaterThan(100);
      configureBufferPool({ minElements: 1, maxFreeBytes: 2 ** 30, poison: false });
      fresh.forEach((w, i) => {
        expect(poisoned[i]?.name).toBe(w.name);
        expect(Buffer.from(poisoned[i]!.values.buffer).equals(Buffer.from(w.values.buffer)), w.name).toBe(true);
      });
      for (const w of fresh) expect(w.values.every(Number.isFinite), w.name).toBe(true);
    },
  );
});
