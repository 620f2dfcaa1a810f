import { decideRoundRequest, MESSAGE_VERSION, RoundRecordSchema, type RoundRequestDecision } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';
import type { CommandBus, RunStore } from '../ports.js';
import { errorResponse, MetricsHistorySchema, RoundParamsSchema, RoundRequestedSchema, RunParamsSchema } from '../schemas.js';
import { getRunOr404 } from './runs.js';

export interface RoundRoutesDeps {
  runs: RunStore;
  bus: Pick<CommandBus, 'publish'>;
  now: () => Date;
}

/**
 * Start the next round, read one round, read the per-round history. The aggregator owns round
 * state; the api records that round N was requested (`requestedRound`) in one atomic update of
 * the run record and then publishes `round.start` for N. Of concurrent requests for one round,
 * only the one whose update wrote `requestedRound` publishes; the others answer 409.
 */
export function roundRoutes(deps: RoundRoutesDeps) {
  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/runs/:id/rounds',
      {
        schema: {
          summary: 'Start the next round (records the request, then publishes round.start)',
          params: RunParamsSchema,
          response: {
            202: RoundRequestedSchema.describe('Round requested'),
            404: errorResponse('Unknown run (NOT_FOUND)'),
            409: errorResponse(
              'ROUND_IN_PROGRESS (a round is open, collecting or aggregating), ROUND_ALREADY_REQUESTED (another request for this round was accepted), RUN_NOT_ACTIVE or RUN_COMPLETE',
            ),
            503: errorResponse('The broker did not accept round.start (UNAVAILABLE); the request is withdrawn, retry'),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        await getRunOr404(deps.runs, id);
        let decision = undefined as RoundRequestDecision | undefined;
        // The last call of the patch is the one the store applied (or skipped), so `decision` is the outcome.
        await deps.runs.updateRun(id, (run) => {
          decision = decideRoundRequest(run);
          return decision.ok ? { ...run, requestedRound: decision.round, updatedAt: deps.now().toISOString() } : undefined;
        });
        if (decision === undefined) throw new Error(`updateRun(${id}) never called its patch`);
        if (!decision.ok) throw new ApiError(decision.code, decision.message);
        const { round } = decision;
        try {
          await deps.bus.publish({ type: 'round.start', version: MESSAGE_VERSION, runId: id, round, sentAt: Date.now() });
        } catch (error) {
          // Withdraw the request so a retry is not refused as ROUND_ALREADY_REQUESTED for a command never sent.
          await deps.runs
            .updateRun(id, (run) =>
              run.requestedRound === round && run.currentRound === round - 1 ? { ...run, requestedRound: round - 1 } : undefined,
            )
            .catch((undo: unknown) => request.log.error({ err: undo, runId: id, round }, 'could not withdraw the round request'));
          throw new ApiError('UNAVAILABLE', 'the message broker did not accept the round.start command; retry later', { cause: error });
        }
        request.log.info({ runId: id, round }, 'round requested');
        return reply.code(202).send({ runId: id, round, status: 'requested' as const });
      },
    );

    app.get(
      '/runs/:id/rounds/:round',
      {
        schema: {
          summary: 'Read one round',
          params: RoundParamsSchema,
          response: { 200: RoundRecordSchema.describe('The round record'), 404: errorResponse('Unknown run or round (NOT_FOUND)') },
        },
      },
      async (request) => {
        const { id, round } = request.params;
        await getRunOr404(deps.runs, id);
        const record = await deps.runs.getRound(id, round);
        if (record === null) throw new ApiError('NOT_FOUND', `round ${round} of run ${id} not found`);
        return record;
      },
    );

    app.get(
      '/runs/:id/metrics',
      {
        schema: {
          summary: 'Per-round metrics history, oldest first',
          params: RunParamsSchema,
          response: { 200: MetricsHistorySchema.describe('One row per closed round'), 404: errorResponse('Unknown run (NOT_FOUND)') },
        },
      },
      async (request) => {
        const { id } = request.params;
        await getRunOr404(deps.runs, id);
        return { runId: id, rounds: await deps.runs.listMetrics(id) };
      },
    );
  };
}
