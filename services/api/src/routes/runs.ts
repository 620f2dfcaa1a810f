import { MESSAGE_VERSION, RunConfigSchema, type RunRecord } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { publishOr503 } from '../publish.js';
import type { CommandBus, RunStore } from '../ports.js';
import { RunParamsSchema } from '../schemas.js';
import { parseOr400 } from '../validation.js';

export interface RunRoutesDeps {
  runs: RunStore;
  bus: Pick<CommandBus, 'publish'>;
  now: () => Date;
  newRunId: () => string;
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
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/runs', async (request, reply) => {
      // A bodyless POST means "all defaults"; a JSON null is still a mistake.
      const config = parseOr400(RunConfigSchema, request.body === undefined ? {} : request.body, 'body');
      const at = deps.now().toISOString();
      const record: RunRecord = {
        runId: deps.newRunId(),
        config,
        status: 'created',
        createdAt: at,
        updatedAt: at,
        currentRound: 0,
        roundStatus: 'none',
        globalVersion: 0,
      };
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
      request.log.info({ runId: record.runId, method: config.method, clients: config.clients }, 'run created');
      return reply.code(201).header('location', `/v1/runs/${record.runId}`).send(record);
    });

    app.get('/runs', async () => ({ runs: await deps.runs.listRuns() }));

    app.get('/runs/:id', async (request) => {
      const { id } = parseOr400(RunParamsSchema, request.params, 'params');
      return getRunOr404(deps.runs, id);
    });

    app.post('/runs/:id/stop', async (request, reply) => {
      const { id } = parseOr400(RunParamsSchema, request.params, 'params');
      const run = await getRunOr404(deps.runs, id);
      if (run.status === 'stopped' || run.status === 'stopping') return reply.code(202).send(run); // idempotent
      if (ENDED.has(run.status))
        throw new ApiError('RUN_NOT_ACTIVE', `run ${id} is ${run.status}; only created or running runs can be stopped`);
      const updated = await deps.runs.updateRun(id, (current) =>
        ENDED.has(current.status) ? current : { ...current, status: 'stopping', updatedAt: deps.now().toISOString() },
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
    });
  };
}
