import { ModelSpecSchema } from '@fedssd/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { createStack, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * The model spec travels with model v0: the aggregator (a process, on the real broker and Redis)
 * stores it when it sets a run up, and the api's export builds the TensorFlow.js model from it.
 * No trainer runs: model v0 is enough.
 */
let stack: Stack | string;

beforeAll(async () => {
  stack = await createStack('export');
  if (typeof stack === 'string') return;
  await startServices(stack, []);
});
afterAll(async () => {
  if (typeof stack !== 'string') await stack?.cleanup();
});

describe('model export over the real services', () => {
  it('when the aggregator has set a run up, then its spec is stored beside model v0 and the api exports model v0 built to it', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const created = await s.http<{ runId: string }>('POST', '/v1/runs', {
      clients: 2,
      rounds: 1,
      trainLimit: 64,
      batchSize: 16,
      dataset: 'synthetic',
    });
    expect(created.status).toBe(201);
    const { runId } = created.json;
    const run = await waitFor(
      'run set up',
      async () => {
        const record = await s.runRecord(runId);
        return record?.status === 'running' || record?.status === 'failed' ? record : undefined;
      },
      60_000,
      200,
    );
    expect(run.status, s.dump()).toBe('running');
    const spec = ModelSpecSchema.parse(await s.runs.getSpec(runId));
    expect(spec).toEqual({ kind: 'small', inputShape: [28, 28, 1], featureDim: 128, width: 1 });
    expect(await s.runs.getModel(runId, 0)).not.toBeNull();

    const auth = { authorization: `Bearer ${s.token}` };
    const modelJson = await fetch(`${s.apiUrl}/v1/runs/${runId}/model?version=0`, { headers: auth });
    expect(modelJson.status).toBe(200);
    const body = (await modelJson.json()) as {
      modelTopology: { config: { layers: Array<{ class_name: string; config: { batch_input_shape?: unknown } }> } };
      weightsManifest: Array<{ weights: Array<{ shape: number[] }> }>;
    };
    const input = body.modelTopology.config.layers.find((layer) => layer.class_name === 'InputLayer');
    expect(input?.config.batch_input_shape).toEqual([null, 28, 28, 1]);
    const weights = await fetch(`${s.apiUrl}/v1/runs/${runId}/model/weights.bin?version=0`, { headers: auth });
    expect(weights.status).toBe(200);
    const floats = body.weightsManifest[0]!.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    expect((await weights.arrayBuffer()).byteLength).toBe(4 * floats);
  });
});
