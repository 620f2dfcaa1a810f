import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { Logger, Metrics } from '@fedssd/telemetry';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { ApiError, errorBody } from './errors.js';
import { EventHub } from './event-hub.js';
import { createModelExporter } from './model-export.js';
import { requireBearer } from './plugins/auth.js';
import { installErrorHandling } from './plugins/error-handler.js';
import { installHttpMetrics } from './plugins/http-metrics.js';
import { installOpenApi, openApiRoutes } from './plugins/openapi.js';
import { installSecurityHeaders } from './plugins/security-headers.js';
import type { CommandBus, ModelExporter, ReadinessCheck, RunStore } from './ports.js';
import { documentResponses, errorResponse } from './schemas.js';
import { eventRoutes } from './routes/events.js';
import { modelRoutes } from './routes/model.js';
import { opsRoutes } from './routes/ops.js';
import { roundRoutes } from './routes/rounds.js';
import { runRoutes } from './routes/runs.js';
import { formatValidationErrors } from './validation.js';

/** Everything the api talks to, built in main.ts (or by a test) and passed in. */
export interface AppDeps {
  runs: RunStore;
  bus: CommandBus;
  metrics: Metrics;
  /** Bearer token required on every /v1 route. */
  apiToken: string;
  /** Named readiness checks for /readyz (e.g. broker, redis); default none. */
  readiness?: Record<string, ReadinessCheck>;
  /** TensorFlow.js exporter; default {@link createModelExporter} (loads TensorFlow.js on first use). */
  modelExporter?: ModelExporter;
  /** Queue depths exported on each /metrics scrape. */
  queueDepths?: () => Promise<Record<string, number>>;
  /** pino logger; default none (silent). */
  logger?: Logger;
  /** Largest request body in bytes; default 65536. */
  bodyLimitBytes?: number;
  /** Requests per client IP per minute on /v1; default 600. */
  rateLimitPerMinute?: number;
  /** Take the client IP from X-Forwarded-For (behind an ingress); default false. */
  trustProxy?: boolean;
  /** SSE heartbeat interval in milliseconds; default 15000. */
  sseHeartbeatMs?: number;
  /** Readiness check timeout in milliseconds; default 2000. */
  readinessTimeoutMs?: number;
  /** Clock and id source (tests pin them). */
  now?: () => Date;
  newRunId?: () => string;
  /** Version shown in the OpenAPI document. */
  version?: string;
}

/**
 * Builds the Fastify app without listening (main.ts listens; tests use `inject`). Closing the
 * app ends open event streams and cancels the events subscription; it does not close `runs` or
 * `bus`, which belong to whoever built them.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and Fastify's logger type differ only in generics; it is the same object.
    ...(deps.logger !== undefined ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes ?? 65_536,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
    // Request ids in logs; honour an upstream one so logs can be joined across hops.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Errors raised before routing (e.g. a malformed percent-encoding) bypass the error handler.
    frameworkErrors: (error, _request, reply) => void (reply as FastifyReply).code(400).send(errorBody('BAD_REQUEST', error.message)),
    // Request schemas fail as one 400 VALIDATION_FAILED naming every field (see validation.ts).
    schemaErrorFormatter: formatValidationErrors,
  });
  // Routes declare zod schemas: requests are parsed by them, responses serialized through them.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: without this, a text/plain body would reach the handlers as a string.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  installHttpMetrics(app, deps.metrics);
  installSecurityHeaders(app);
  // Before any route: it collects the routes registered after it into the OpenAPI document.
  await installOpenApi(app, deps.version ?? '0.1.0');

  let draining = false;
  const hub = new EventHub(deps.bus, app.log);
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onClose', async () => hub.close());

  await app.register(
    opsRoutes({
      metrics: deps.metrics,
      readiness: deps.readiness ?? {},
      readinessTimeoutMs: deps.readinessTimeoutMs ?? 2_000,
      queueDepths: deps.queueDepths,
      isDraining: () => draining,
    }),
  );
  await app.register(openApiRoutes());

  const now = deps.now ?? (() => new Date());
  const newRunId = deps.newRunId ?? (() => randomUUID());
  await app.register(
    async (v1) => {
      await v1.register(rateLimit, {
        max: deps.rateLimitPerMinute ?? 600,
        timeWindow: 60_000,
        errorResponseBuilder: (_request, context) =>
          new ApiError(
            'RATE_LIMITED',
            `rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`,
          ),
      });
      v1.addHook('onRoute', documentResponses({ 429: errorResponse('Too many requests from this client IP (RATE_LIMITED)') }));
      requireBearer(v1, deps.apiToken);
      await v1.register(runRoutes({ runs: deps.runs, bus: deps.bus, now, newRunId }));
      await v1.register(roundRoutes({ runs: deps.runs, bus: deps.bus, now }));
      await v1.register(eventRoutes({ runs: deps.runs, hub, heartbeatMs: deps.sseHeartbeatMs ?? 15_000 }));
      await v1.register(modelRoutes({ runs: deps.runs, exporter: deps.modelExporter ?? createModelExporter() }));
    },
    { prefix: '/v1' },
  );
  return app;
}
