import { MESSAGE_VERSION, newRunRecord, RunConfigSchema, RunRecordSchema, type RunRecord } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';
import { publishOr503 } from '../publish.js';
import type { CommandBus, RunStore, SiteDirectory } from '../ports.js';
import { errorResponse, RunListSchema, RunParamsSchema } from '../schemas.js';
import { checkFederatedRunSites } from '../sites/federated-run-sites.js';

export interface RunRoutesDeps {
  runs: RunStore;
  bus: Pick<CommandBus, 'publish'>;
  now: () => Date;
  newRunId: () => string;
  /** The site registry federated runs are checked against; undefined refuses federated runs with 503. */
  sites?: SiteDirectory;
}

/** Statuses after which a run takes no more commands. */
const ENDED = new Set(['stopped', 'finished', 'failed']);

export async function getRunOr404(runs: RunStore, runId: string): Promise<RunRecord> {
  const run = await runs.getRun(runId);
  if (run === null) throw new ApiError('NOT_FOUND', `run ${runId} not found`);
  return run;
}

/** Create, list, read and stop runs. */
export function runRoutes(deps: RunRoutesDeps) {
  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/runs',
      {
        schema: {
          summary: 'Create a run (publishes run.start; the aggregator sets it up)',
          description:
            'Every field of the run config is optional and unknown fields are refused; a request without a body takes every default.',
          body: RunConfigSchema,
          response: {
            201: RunRecordSchema.describe('The run record'),
            400: errorResponse(
              'Invalid run config (VALIDATION_FAILED names each field and range; for a federated run, each named site that is not enrolled and active) or malformed JSON (MALFORMED_JSON)',
            ),
            413: errorResponse('Body too large (PAYLOAD_TOO_LARGE)'),
            415: errorResponse('Body is not JSON (UNSUPPORTED_MEDIA_TYPE)'),
            503: errorResponse(
              'The broker did not accept run.start (UNAVAILABLE); the run is marked failed. Or the site registry cannot be read',
            ),
          },
        },
        // A bodyless POST means "all defaults"; a JSON null is still a mistake (the schema says so).
        preValidation: async (request) => {
          // Before validation the body is still raw JSON, not yet the RunConfig its type promises.
          if (request.body === undefined) (request as { body: unknown }).body = {};
        },
      },
      async (request, reply) => {
        const config = request.body;
        await checkFederatedRunSites(config, deps.sites);
        const at = deps.now().toISOString();
        const record: RunRecord = newRunRecord(deps.newRunId(), config, at);
        if ((await deps.runs.createRun(record)) === false) throw new Error(`run id collision: ${record.runId}`);
        try {
          await deps.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: record.runId, config, sentAt: Date.now() });
        } catch (error) {
          // Without the command nothing would ever pick the run up: mark it failed rather than leave it 'created' forever.
          await deps.runs
            .updateRun(record.runId, (run) => ({
              ...run,
              status: 'failed',
              error: 'could not publish run.start',
              updatedAt: deps.now().toISOString(),
            }))
            .catch(() => undefined);
          throw new ApiError('UNAVAILABLE', 'the message broker did not accept the run.start command; retry later', { cause: error });
        }
        request.log.info({ runId: record.runId, method: config.method, mode: config.mode, clients: config.clients }, 'run created');
        return reply.code(201).header('location', `/v1/runs/${record.runId}`).send(record);
      },
    );

    app.get(
      '/runs',
      { schema: { summary: 'List runs, oldest first', response: { 200: RunListSchema.describe('All runs') } } },
      async () => ({ runs: await deps.runs.listRuns() }),
    );

    app.get(
      '/runs/:id',
      {
        schema: {
          summary: 'Read a run',
          params: RunParamsSchema,
          response: { 200: RunRecordSchema.describe('The run record'), 404: errorResponse('Unknown run (NOT_FOUND)') },
        },
      },
      async (request) => getRunOr404(deps.runs, request.params.id),
    );

    app.post(
      '/runs/:id/stop',
      {
        schema: {
          summary: 'Stop a run (publishes run.stop; idempotent)',
          params: RunParamsSchema,
          response: {
            202: RunRecordSchema.describe('The run record, status stopping'),
            404: errorResponse('Unknown run (NOT_FOUND)'),
            409: errorResponse('Run already finished or failed (RUN_NOT_ACTIVE)'),
            503: errorResponse('The broker did not accept run.stop (UNAVAILABLE); retry'),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const run = await getRunOr404(deps.runs, id);
        if (run.status === 'stopped' || run.status === 'stopping') return reply.code(202).send(run); // idempotent
        if (ENDED.has(run.status))
          throw new ApiError('RUN_NOT_ACTIVE', `run ${id} is ${run.status}; only created or running runs can be stopped`);
        const updated = await deps.runs.updateRun(id, (current) =>
          ENDED.has(current.status) ? undefined : { ...current, status: 'stopping', updatedAt: deps.now().toISOString() },
        );
        await publishOr503(deps.bus, {
          type: 'run.stop',
          version: MESSAGE_VERSION,
          runId: id,
          reason: 'stopped through the api',
          sentAt: Date.now(),
        });
        request.log.info({ runId: id }, 'run stop requested');
        return reply.code(202).send(updated);
      },
    );
  };
}
