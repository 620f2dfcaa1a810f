import type { FastifyInstance } from 'fastify';
import type { Metrics } from '@fedssd/telemetry';

/**
 * Counts every answered request by method, route template (not the raw URL, which would make one
 * series per run id) and status.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestsTotal.inc({ method: request.method, route, status: String(reply.statusCode) });
  });
}
