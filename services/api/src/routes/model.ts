import { formatZodError, ModelSpecSchema, type RunRecord } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';
import type { ExportedModel, ModelExporter, RunStore } from '../ports.js';
import { errorResponse, ModelJsonSchema, ModelQuerySchema, rawResponse, RunParamsSchema } from '../schemas.js';
import { getRunOr404 } from './runs.js';

export interface ModelRoutesDeps {
  runs: RunStore;
  exporter: ModelExporter;
}

/** Exports are deterministic per (run, version); keep the last few so model.json + weights.bin convert once. */
const CACHE_ENTRIES = 4;

const modelErrors = {
  404: errorResponse('Unknown run, or the version does not exist or is not stored (NOT_FOUND)'),
  409: errorResponse('The run has no stored model spec: it was created before specs were stored with model v0 (MODEL_SPEC_MISSING)'),
};

/**
 * The global encoder of a run in TensorFlow.js format, built to the model spec the aggregator
 * stored with model v0. `model.json` lists one weights file, `model/weights.bin`, relative to
 * the model URL: tf.io's HTTP loader resolves it against `/v1/runs/:id/` and appends the model
 * URL's query, so loading `/v1/runs/:id/model?version=N` fetches
 * `/v1/runs/:id/model/weights.bin?version=N`. Without a version both requests mean "latest",
 * which can move between them: pin a version to load.
 */
export function modelRoutes(deps: ModelRoutesDeps) {
  const cache = new Map<string, Promise<ExportedModel>>();

  async function convert(runId: string, version: number): Promise<ExportedModel> {
    const bytes = await deps.runs.getModel(runId, version);
    if (bytes === null) throw new ApiError('NOT_FOUND', `model version ${version} of run ${runId} is not stored`);
    const stored = await deps.runs.getSpec(runId);
    if (stored === null) {
      throw new ApiError(
        'MODEL_SPEC_MISSING',
        `run ${runId} has no stored model spec (it was created before the aggregator stored one with model v0), so its model cannot be exported`,
      );
    }
    const spec = ModelSpecSchema.safeParse(stored);
    // Written by the aggregator, not the client: a bad spec is a server fault (500, details in the log).
    if (!spec.success) throw new Error(`stored model spec of run ${runId} is invalid: ${formatZodError(spec.error).join('; ')}`);
    return deps.exporter(spec.data, bytes);
  }

  async function load(run: RunRecord, asked: number | undefined): Promise<{ version: number; model: ExportedModel }> {
    const version = asked ?? run.globalVersion;
    if (version > run.globalVersion)
      throw new ApiError('NOT_FOUND', `version ${version} of run ${run.runId} does not exist yet (latest is ${run.globalVersion})`);
    const key = `${run.runId}@${version}`;
    let model = cache.get(key);
    if (model === undefined) {
      model = convert(run.runId, version);
      model.catch(() => cache.delete(key));
      cache.set(key, model);
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    }
    return { version, model: await model };
  }

  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/runs/:id/model',
      {
        schema: {
          summary: 'The global encoder as a TensorFlow.js model.json (latest version unless ?version=N)',
          params: RunParamsSchema,
          querystring: ModelQuerySchema,
          response: { 200: ModelJsonSchema.describe('model.json whose weightsManifest points at model/weights.bin'), ...modelErrors },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { version, model } = await load(await getRunOr404(deps.runs, id), request.query.version);
        // One weights file holds every group's bytes in manifest order, as weightData does.
        const weights = model.modelJson.weightsManifest.flatMap((group) => group.weights);
        return reply.header('x-fedssd-model-version', String(version)).send({
          ...model.modelJson,
          weightsManifest: [{ paths: ['model/weights.bin'], weights }],
          fedssd: { runId: id, version, weightsUrl: `/v1/runs/${id}/model/weights.bin?version=${version}` },
        });
      },
    );

    app.get(
      '/runs/:id/model/weights.bin',
      {
        schema: {
          summary: 'The weights file of the TensorFlow.js model (same version rules as model.json)',
          params: RunParamsSchema,
          querystring: ModelQuerySchema,
          response: { 200: rawResponse('Concatenated float32 weights', 'application/octet-stream', 'binary'), ...modelErrors },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { version, model } = await load(await getRunOr404(deps.runs, id), request.query.version);
        return reply
          .header('content-type', 'application/octet-stream')
          .header('x-fedssd-model-version', String(version))
          .send(Buffer.from(model.weightData.buffer, model.weightData.byteOffset, model.weightData.byteLength));
      },
    );
  };
}
