import type { StoredModelSpec } from '@fedssd/protocol';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelExporter, type ModelExporter } from '../src/index.js';
import { AUTH, build, errorOf, type TestApp } from './helper.js';

/** The spec the aggregator stores with model v0 for the small CNN on 28x28 grayscale data. */
const SMALL: StoredModelSpec = { kind: 'small', inputShape: [28, 28, 1], featureDim: 128, width: 1 };

let t: TestApp;
afterEach(async () => t.close());

/** A stand-in exporter: the "model" is the stored bytes, so the test can tell versions apart. */
function fakeExporter(calls: Array<{ spec: StoredModelSpec; bytes: number[] }>): ModelExporter {
  return (spec, bytes) => {
    calls.push({ spec, bytes: [...bytes] });
    return {
      modelJson: {
        format: 'layers-model',
        modelTopology: { class_name: 'Sequential', config: { name: spec.kind } },
        weightsManifest: [
          { paths: ['group1.bin'], weights: [{ name: 'conv1/kernel', shape: [1], dtype: 'float32' }] },
          { paths: ['group2.bin'], weights: [{ name: 'conv1/bias', shape: [1], dtype: 'float32' }] },
        ],
      },
      weightData: new Uint8Array([...bytes, 255]),
    };
  };
}

async function runWithModels(exporter: ModelExporter): Promise<void> {
  t = await build({ modelExporter: exporter });
  await t.createRun();
  await t.runs.putSpec('run-1', SMALL);
  await t.runs.putModel('run-1', 0, new Uint8Array([0]));
  await t.runs.putModel('run-1', 1, new Uint8Array([1, 1]));
  await t.runs.updateRun('run-1', (r) => ({ ...r, status: 'running', currentRound: 1, roundStatus: 'closed', globalVersion: 1 }));
}

describe('model export', () => {
  it('when the real exporter converts a stored small-CNN global model, then model.json + weights.bin match exportEncoder', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const { createModel, exportEncoder } = await import('@fedssd/ssl');
    const { encodeWeights } = await import('@fedssd/tensor');
    const exporter = createModelExporter();
    const before = tf.memory().numTensors;
    const model = createModel({ kind: 'small', inputShape: [28, 28, 1], featureDim: 128 }, 7);
    const weights = model.getWeights();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    t = await build({ modelExporter: exporter });
    await t.createRun({ dataset: 'fashion-mnist', model: 'small' });
    await t.runs.putSpec('run-1', SMALL);
    await t.runs.putModel('run-1', 0, encodeWeights(weights));
    const res = await t.app.inject({ url: '/v1/runs/run-1/model?version=0', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const expected = exportEncoder('small', weights);
    const body = res.json();
    expect(body.format).toBe('layers-model');
    expect(body.modelTopology).toEqual(expected.modelJson.modelTopology);
    expect(body.weightsManifest).toEqual([{ paths: ['model/weights.bin'], weights: expected.modelJson.weightsManifest[0]!.weights }]);
    const bin = await t.app.inject({ url: '/v1/runs/run-1/model/weights.bin?version=0', headers: AUTH });
    expect(Buffer.compare(bin.rawPayload, Buffer.from(expected.weightData))).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when TensorFlow.js loads the model over HTTP with a pinned version, then it finds weights.bin and predicts like the trained encoder', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    const { createModel } = await import('@fedssd/ssl');
    const { encodeWeights } = await import('@fedssd/tensor');
    const model = createModel({ kind: 'small', inputShape: [28, 28, 1], featureDim: 128 }, 11);
    t = await build();
    await t.createRun({ dataset: 'fashion-mnist' });
    await t.runs.putSpec('run-1', SMALL);
    await t.runs.putModel('run-1', 0, encodeWeights(model.getWeights()));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const loaded = await tfl.loadLayersModel(
      tf.io.http(`http://127.0.0.1:${port}/v1/runs/run-1/model?version=0`, { requestInit: { headers: AUTH } }),
    );
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3) as Tensor4D;
    const want = model.encode(x);
    const got = loaded.predict(x) as Tensor;
    expect(got.shape).toEqual([2, 128]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([x, want, got]);
    loaded.dispose();
    model.dispose();
  });

  it('when no version is given, then model.json is the latest version with one weights file at model/weights.bin', async () => {
    const calls: Array<{ spec: StoredModelSpec; bytes: number[] }> = [];
    await runWithModels(fakeExporter(calls));
    const res = await t.app.inject({ url: '/v1/runs/run-1/model', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-fedssd-model-version']).toBe('1');
    const body = res.json();
    expect(body.modelTopology).toEqual({ class_name: 'Sequential', config: { name: 'small' } });
    expect(body.weightsManifest).toEqual([
      {
        paths: ['model/weights.bin'],
        weights: [
          { name: 'conv1/kernel', shape: [1], dtype: 'float32' },
          { name: 'conv1/bias', shape: [1], dtype: 'float32' },
        ],
      },
    ]);
    expect(body.fedssd).toEqual({ runId: 'run-1', version: 1, weightsUrl: '/v1/runs/run-1/model/weights.bin?version=1' });
    expect(calls[0]!.bytes).toEqual([1, 1]);
  });

  it('when a version is given, then model.json and weights.bin are that version, converted once', async () => {
    const calls: Array<{ spec: StoredModelSpec; bytes: number[] }> = [];
    await runWithModels(fakeExporter(calls));
    expect((await t.app.inject({ url: '/v1/runs/run-1/model?version=0', headers: AUTH })).statusCode).toBe(200);
    const weights = await t.app.inject({ url: '/v1/runs/run-1/model/weights.bin?version=0', headers: AUTH });
    expect(weights.statusCode).toBe(200);
    expect(weights.headers['content-type']).toBe('application/octet-stream');
    expect([...weights.rawPayload]).toEqual([0, 255]);
    expect(calls).toHaveLength(1);
  });

  it('when the version does not exist or is malformed, then 404 or 400 naming query.version', async () => {
    await runWithModels(fakeExporter([]));
    const future = await t.app.inject({ url: '/v1/runs/run-1/model?version=5', headers: AUTH });
    expect(future.statusCode).toBe(404);
    expect(errorOf(future).message).toBe('version 5 of run run-1 does not exist yet (latest is 1)');
    const bad = await t.app.inject({ url: '/v1/runs/run-1/model?version=-1', headers: AUTH });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toBe('query.version: must be an integer between 0 and 10000 (got "-1")');
    expect((await t.app.inject({ url: '/v1/runs/ghost/model', headers: AUTH })).statusCode).toBe(404);
  });

  it('when a version is missing from the store, then 404', async () => {
    await runWithModels(fakeExporter([]));
    await t.runs.updateRun('run-1', (r) => ({ ...r, globalVersion: 2 }));
    const res = await t.app.inject({ url: '/v1/runs/run-1/model/weights.bin?version=2', headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).message).toBe('model version 2 of run run-1 is not stored');
  });

  it('when the run has no stored spec (made before specs were stored), then 409 MODEL_SPEC_MISSING says why, for both files', async () => {
    const calls: Array<{ spec: StoredModelSpec; bytes: number[] }> = [];
    t = await build({ modelExporter: fakeExporter(calls) });
    await t.createRun();
    await t.runs.putModel('run-1', 0, new Uint8Array([0]));
    for (const url of ['/v1/runs/run-1/model', '/v1/runs/run-1/model/weights.bin?version=0']) {
      const res = await t.app.inject({ url, headers: AUTH });
      expect(res.statusCode, url).toBe(409);
      expect(errorOf(res)).toEqual({
        code: 'MODEL_SPEC_MISSING',
        message:
          'run run-1 has no stored model spec (it was created before the aggregator stored one with model v0), so its model cannot be exported',
      });
    }
    expect(calls).toEqual([]);
  });

  it('when the stored spec is corrupt, then 500 INTERNAL without details (they are a server fault)', async () => {
    t = await build({ modelExporter: fakeExporter([]) });
    await t.createRun();
    await t.runs.putModel('run-1', 0, new Uint8Array([0]));
    await t.transport.state.setJson('fedssd:run:{run-1}:spec', { kind: 'vit', inputShape: [1] });
    const res = await t.app.inject({ url: '/v1/runs/run-1/model', headers: AUTH });
    expect(res.statusCode).toBe(500);
    expect(errorOf(res)).toEqual({ code: 'INTERNAL', message: 'internal error; see the server log' });
  });

  it('when the stored spec differs from what the data set name suggests, then the export follows the stored spec', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const { createModel } = await import('@fedssd/ssl');
    const { encodeWeights } = await import('@fedssd/tensor');
    // Synthetic data of 32x32x3 images: a name-based guess would have said 28x28x1.
    const spec: StoredModelSpec = { kind: 'small', inputShape: [32, 32, 3], featureDim: 128, width: 1 };
    const model = createModel(spec, 5);
    t = await build();
    await t.createRun({ dataset: 'synthetic' });
    await t.runs.putSpec('run-1', spec);
    await t.runs.putModel('run-1', 0, encodeWeights(model.getWeights()));
    model.dispose();
    const res = await t.app.inject({ url: '/v1/runs/run-1/model?version=0', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const layers = res.json().modelTopology.config.layers as Array<{ class_name: string; config: { batch_input_shape?: unknown } }>;
    expect(layers.find((l) => l.class_name === 'InputLayer')?.config.batch_input_shape).toEqual([null, 32, 32, 3]);
  });
});
