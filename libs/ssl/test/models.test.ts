import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, type ModelSpec } from '../src/models/index.js';

const tinyResnet: ModelSpec = { kind: 'resnet18', inputShape: [8, 8, 3], featureDim: 32, width: 1 / 16 };

function randomImages(n: number, shape: [number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform([n, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createModel', () => {
  it('when built twice with the same seed, then the weights are identical and names sorted and stable', () => {
    const a = createModel('small', 7);
    const b = createModel('small', 7);
    const c = createModel('small', 8);
    const wa = a.getWeights();
    const wb = b.getWeights();
    expect(wa.map((w) => w.name)).toEqual(wb.map((w) => w.name));
    expect([...wa.map((w) => w.name)].sort()).toEqual(wa.map((w) => w.name));
    wa.forEach((w, i) => expect(w.values).toEqual(wb[i]?.values));
    expect(wa.map((w) => w.name)).toContain('encoder.block1.bn.runningMean');
    expect(wa.map((w) => w.name)).toContain('projector.fc2.kernel');
    const kernelA = wa.find((w) => w.name === 'encoder.block2.conv.kernel');
    const kernelC = c.getWeights().find((w) => w.name === 'encoder.block2.conv.kernel');
    expect(kernelA?.values).not.toEqual(kernelC?.values);
    // Kaiming fan_out: std = sqrt(2 / (64 * 9)) ~ 0.059.
    const v = kernelA?.values ?? new Float32Array();
    const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(std).toBeGreaterThan(0.055);
    expect(std).toBeLessThan(0.063);
    expect(a.trainable.length).toBe(wa.filter((w) => !w.name.includes('running')).length);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('when given a bad spec, then it names the field', () => {
    expect(() => createModel({ kind: 'small', inputShape: [28, 28, 1], featureDim: 64 }, 1)).toThrow(/featureDim/);
    expect(() => createModel({ kind: 'resnet18', inputShape: [32, 32], featureDim: 512 } as unknown as ModelSpec, 1)).toThrow(/inputShape/);
    expect(() => createModel('vgg' as unknown as 'small', 1)).toThrow(/kind/);
  });

  it('when run forward, then h and zt have dim d for small (28x28x1, 32x32x3) and a narrow resnet18', () => {
    const before = tf.memory().numTensors;
    const cases: Array<[ModelSpec, number]> = [
      [{ kind: 'small', inputShape: [28, 28, 1], featureDim: 128 }, 128],
      [{ kind: 'small', inputShape: [32, 32, 3], featureDim: 128 }, 128],
      [tinyResnet, 32],
    ];
    for (const [spec, d] of cases) {
      const model = createModel(spec, 3);
      const x = randomImages(3, [...spec.inputShape], 1);
      const { h, zt } = model.forward(x, true);
      expect(h.shape).toEqual([3, d]);
      expect(zt.shape).toEqual([3, d]);
      expect(tf.tidy(() => tf.min(h).dataSync()[0])).toBeGreaterThanOrEqual(0); // after ReLU + average pool
      const e = model.encode(x);
      expect(e.shape).toEqual([3, d]);
      tf.dispose([x, h, zt, e]);
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when training, then BN running stats move (unbiased var, momentum 0.1); encode leaves them alone', () => {
    const model = createModel('small', 1);
    const x = randomImages(4, [28, 28, 1], 2);
    const get = (name: string) => model.getWeights().find((w) => w.name === name)?.values ?? new Float32Array();
    const mean0 = get('projector.bn.runningMean');
    tf.dispose(model.encode(x));
    expect(get('projector.bn.runningMean')).toEqual(mean0);
    const { h, zt } = model.forward(x, true);
    const mean1 = get('projector.bn.runningMean');
    const var1 = get('projector.bn.runningVar');
    // Recompute the projector BN input from h and fc1: running = 0.9 * init + 0.1 * batch stat.
    const weights = Object.fromEntries(model.getWeights().map((t) => [t.name, t]));
    const k = weights['projector.fc1.kernel'];
    const b = weights['projector.fc1.bias'];
    const [expMean, expVar] = tf.tidy(() => {
      const a = tf.add(tf.matMul(h, tf.tensor(k?.values ?? [], [128, 256])), tf.tensor(b?.values ?? []));
      const { mean, variance } = tf.moments(a, 0);
      return [tf.mul(mean, 0.1).dataSync(), tf.add(0.9, tf.mul(variance, (0.1 * 4) / 3)).dataSync()];
    });
    for (let i = 0; i < 256; i += 1) {
      expect(mean1[i]).toBeCloseTo(expMean?.[i] ?? NaN, 5);
      expect(var1[i]).toBeCloseTo(expVar?.[i] ?? NaN, 4);
    }
    expect(mean1).not.toEqual(mean0);
    tf.dispose([x, h, zt]);
    model.dispose();
  });

  it('when setWeights gets getWeights of another model, then outputs match; bad names or shapes are rejected', () => {
    const a = createModel(tinyResnet, 1);
    const b = createModel(tinyResnet, 2);
    const x = randomImages(2, [8, 8, 3], 5);
    b.setWeights(a.getWeights());
    const ea = a.encode(x);
    const eb = b.encode(x);
    expect(Array.from(eb.dataSync())).toEqual(Array.from(ea.dataSync()));
    const w = a.getWeights();
    expect(() => b.setWeights(w.slice(1))).toThrow(/missing weights/);
    const wrongShape = w.map((t) => (t.shape.length === 4 ? { ...t, shape: [t.values.length] } : t));
    expect(() => b.setWeights(wrongShape)).toThrow(/shape/);
    expect(() => b.setWeights([...w, { name: 'zzz', shape: [1], values: new Float32Array(1) }])).toThrow(/unknown weights zzz/);
    tf.dispose([x, ea, eb]);
    a.dispose();
    b.dispose();
  });
});

describe('small-signed preset', () => {
  it('when built, then it has the small weights, deterministic outputs of dim 128, and h takes negative values', () => {
    const signed = createModel('small-signed', 5);
    const again = createModel('small-signed', 5);
    const plain = createModel('small', 5);
    // Same parameter names and initial values as 'small': only the last ReLU is gone.
    expect(signed.getWeights().map((w) => w.name)).toEqual(plain.getWeights().map((w) => w.name));
    signed.getWeights().forEach((w, i) => expect(w.values).toEqual(plain.getWeights()[i]?.values));
    const x = randomImages(8, [28, 28, 1], 2);
    const h = signed.encode(x);
    const hAgain = again.encode(x);
    const hPlain = plain.encode(x);
    expect(h.shape).toEqual([8, 128]);
    expect(Array.from(h.dataSync())).toEqual(Array.from(hAgain.dataSync()));
    const values = Array.from(h.dataSync());
    // Signed: a good share of the entries is negative (the 'small' preset has none).
    expect(values.filter((v) => v < 0).length).toBeGreaterThan(values.length / 10);
    expect(Math.min(...Array.from(hPlain.dataSync()))).toBeGreaterThanOrEqual(0);
    const { h: ht, zt } = signed.forward(x, true);
    expect(ht.shape).toEqual([8, 128]);
    expect(zt.shape).toEqual([8, 128]);
    expect(Math.min(...Array.from(ht.dataSync()))).toBeLessThan(0);
    tf.dispose([x, h, hAgain, hPlain, ht, zt]);
    [signed, again, plain].forEach((m) => m.dispose());
  });
});
