import type { RunRecord } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { NO_EXPORTER_MESSAGE } from '../model-export.js';
import type { ExportedModel, ModelExporter, RunStore } from '../ports.js';
import { ModelQuerySchema, RunParamsSchema } from '../schemas.js';
import { parseOr400 } from '../validation.js';
import { getRunOr404 } from './runs.js';

export interface ModelRoutesDeps {
  runs: RunStore;
  /** Absent until @fedssd/ssl exports `exportEncoder`: the routes then answer 501. */
  exporter: ModelExporter | undefined;
}

/** Exports are deterministic per (run, version); keep the last few so model.json + weights.bin convert once. */
const CACHE_ENTRIES = 4;

interface WeightGroup {
  paths?: unknown;
  weights?: unknown[];
}

/**
 * The global encoder of a run in TensorFlow.js format. `model.json` lists one weights file,
 * `model/weights.bin`, relative to the model URL: tf.io's HTTP loader resolves it against
 * `/v1/runs/:id/` and appends the model URL's query, so loading
 * `/v1/runs/:id/model?version=N` fetches `/v1/runs/:id/model/weights.bin?version=N`. Without a
 * version both requests mean "latest", which can move between them: pin a version to load.
 */
export function modelRoutes(deps: ModelRoutesDeps) {
  const cache = new Map<string, Promise<ExportedModel>>();

  async function load(runId: string, query: unknown): Promise<{ run: RunRecord; version: number; model: ExportedModel }> {
    const { version: asked } = parseOr400(ModelQuerySchema, query, 'query');
    const run = await getRunOr404(deps.runs, runId);
    if (deps.exporter === undefined) {
      throw new ApiError('NOT_IMPLEMENTED', NO_EXPORTER_MESSAGE);
    }
    const version = asked ?? run.globalVersion;
    if (version > run.globalVersion)
      throw new ApiError('NOT_FOUND', `version ${version} of run ${runId} does not exist yet (latest is ${run.globalVersion})`);
    const key = `${runId}@${version}`;
    let model = cache.get(key);
    if (model === undefined) {
      const bytes = await deps.runs.getModel(runId, version);
      if (bytes === null) throw new ApiError('NOT_FOUND', `model version ${version} of run ${runId} is not stored`);
      const exporter = deps.exporter;
      model = Promise.resolve().then(() => exporter(run.config, bytes));
      model.catch(() => cache.delete(key));
      cache.set(key, model);
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    }
    return { run, version, model: await model };
  }

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/runs/:id/model', async (request, reply) => {
      const { id } = parseOr400(RunParamsSchema, request.params, 'params');
      const { version, model } = await load(id, request.query);
      const groups = (Array.isArray(model.modelJson.weightsManifest) ? model.modelJson.weightsManifest : []) as WeightGroup[];
      // One weights file holds every group's bytes in manifest order, as weightData does.
      const weights = groups.flatMap((group) => group.weights ?? []);
      return reply.header('x-fedssd-model-version', String(version)).send({
        ...model.modelJson,
        weightsManifest: [{ paths: ['model/weights.bin'], weights }],
        fedssd: { runId: id, version, weightsUrl: `/v1/runs/${id}/model/weights.bin?version=${version}` },
      });
    });

    app.get('/runs/:id/model/weights.bin', async (request, reply) => {
      const { id } = parseOr400(RunParamsSchema, request.params, 'params');
      const { version, model } = await load(id, request.query);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('x-fedssd-model-version', String(version))
        .send(Buffer.from(model.weightData.buffer, model.weightData.byteOffset, model.weightData.byteLength));
    });
  };
}
