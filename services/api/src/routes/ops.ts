import type { Metrics } from '@fedssd/telemetry';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.js';
import type { ReadinessCheck } from '../ports.js';
import { ErrorBodySchema, rawResponse } from '../schemas.js';

export interface OpsRoutesDeps {
  metrics: Metrics;
  /** Named dependency checks for /readyz, e.g. `{ broker, redis }`. */
  readiness: Record<string, ReadinessCheck>;
  /** Per-check timeout in milliseconds; default 2000. */
  readinessTimeoutMs: number;
  /** Queue depths to export on scrape, e.g. `{ jobs: 3 }`; optional. */
  queueDepths?: () => Promise<Record<string, number>>;
  /** True once shutdown began: readiness fails so the load balancer stops sending traffic. */
  isDraining: () => boolean;
}

function withTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

const ChecksSchema = z.record(z.string(), z.string()).describe('Each named check: "ok" or "failed: <reason>"');

/** Liveness, readiness and the Prometheus scrape endpoint (no auth: probes and scrapers are in-cluster). */
export function opsRoutes(deps: OpsRoutesDeps) {
  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const open = { security: [] };

    app.get(
      '/healthz',
      { schema: { summary: 'Liveness', ...open, response: { 200: z.object({ status: z.literal('ok') }).describe('The process is up') } } },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          summary: 'Readiness: pings the broker and Redis',
          ...open,
          response: {
            200: z.object({ status: z.literal('ready'), checks: ChecksSchema }).describe('Ready'),
            503: ErrorBodySchema.extend({ checks: ChecksSchema.optional() }).describe(
              'A dependency failed, named in the message, or shutting down (NOT_READY)',
            ),
          },
        },
      },
      async (_request, reply) => {
        if (deps.isDraining()) return reply.code(503).send(errorBody('NOT_READY', 'shutting down'));
        const names = Object.keys(deps.readiness);
        const results = await Promise.allSettled(names.map((name) => withTimeout(deps.readiness[name]!, deps.readinessTimeoutMs)));
        const checks: Record<string, string> = {};
        const failed: string[] = [];
        results.forEach((result, i) => {
          const name = names[i]!;
          if (result.status === 'fulfilled') checks[name] = 'ok';
          else {
            const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
            checks[name] = `failed: ${reason}`;
            failed.push(`${name} (${reason})`);
          }
        });
        if (failed.length > 0) return reply.code(503).send({ ...errorBody('NOT_READY', `not ready: ${failed.join(', ')}`), checks });
        return { status: 'ready' as const, checks };
      },
    );

    app.get(
      '/metrics',
      { schema: { summary: 'Prometheus metrics', ...open, response: { 200: rawResponse('Prometheus text format', 'text/plain') } } },
      async (request, reply) => {
        if (deps.queueDepths !== undefined) {
          try {
            for (const [queue, depth] of Object.entries(await deps.queueDepths())) deps.metrics.queueDepth.set({ queue }, depth);
          } catch (error) {
            request.log.warn({ err: error }, 'queue depth unavailable');
          }
        }
        return reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
      },
    );
  };
}
