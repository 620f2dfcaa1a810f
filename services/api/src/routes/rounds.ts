import { ACTIVE_ROUND_STATUSES, MESSAGE_VERSION } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { publishOr503 } from '../publish.js';
import type { CommandBus, RunStore } from '../ports.js';
import { RoundParamsSchema, RunParamsSchema } from '../schemas.js';
import { parseOr400 } from '../validation.js';
import { getRunOr404 } from './runs.js';

export interface RoundRoutesDeps {
  runs: RunStore;
  bus: Pick<CommandBus, 'publish'>;
}

/**
 * Start the next round, read one round, read the per-round history. The aggregator owns round
 * state: the api only checks it and publishes `round.start` carrying the round number, which
 * makes a repeated request for the same round harmless.
 */
export function roundRoutes(deps: RoundRoutesDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/runs/:id/rounds', async (request, reply) => {
      const { id } = parseOr400(RunParamsSchema, request.params, 'params');
      const run = await getRunOr404(deps.runs, id);
      if (run.status !== 'created' && run.status !== 'running') {
        throw new ApiError('RUN_NOT_ACTIVE', `run ${id} is ${run.status}; rounds can only start while it is created or running`);
      }
      if (run.roundStatus !== 'none' && ACTIVE_ROUND_STATUSES.includes(run.roundStatus)) {
        throw new ApiError('ROUND_IN_PROGRESS', `round ${run.currentRound} of run ${id} is ${run.roundStatus}; wait for it to close`);
      }
      if (run.currentRound >= run.config.rounds) {
        throw new ApiError('RUN_COMPLETE', `run ${id} already ran all ${run.config.rounds} rounds`);
      }
      const round = run.currentRound + 1;
      await publishOr503(deps.bus, { type: 'round.start', version: MESSAGE_VERSION, runId: id, round, sentAt: Date.now() });
      request.log.info({ runId: id, round }, 'round requested');
      return reply.code(202).send({ runId: id, round, status: 'requested' });
    });

    app.get('/runs/:id/rounds/:round', async (request) => {
      const { id, round } = parseOr400(RoundParamsSchema, request.params, 'params');
      await getRunOr404(deps.runs, id);
      const record = await deps.runs.getRound(id, round);
      if (record === null) throw new ApiError('NOT_FOUND', `round ${round} of run ${id} not found`);
      return record;
    });

    app.get('/runs/:id/metrics', async (request) => {
      const { id } = parseOr400(RunParamsSchema, request.params, 'params');
      await getRunOr404(deps.runs, id);
      return { runId: id, rounds: await deps.runs.listMetrics(id) };
    });
  };
}
