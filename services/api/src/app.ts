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
import type { CommandBus, ModelExporter, ReadinessCheck, RunStore, SiteAdmin, SiteDirectory } from './ports.js';
import { documentResponses, errorResponse } from './schemas.js';
import { adminSiteRoutes } from './routes/admin-sites.js';
import { eventRoutes } from './routes/events.js';
import { modelRoutes } from './routes/model.js';
import { opsRoutes } from './routes/ops.js';
import { roundRoutes } from './routes/rounds.js';
import { runRoutes } from './routes/runs.js';
import { siteRoutes } from './routes/sites.js';
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
  /** Site registry and liveness, for `GET /v1/sites` and the check of federated runs; without it both answer 503. */
  sites?: SiteDirectory;
  /** A site is live when its last heartbeat is at most this old, in milliseconds; default 30000. */
  siteLivenessMs?: number;
  /**
   * The `/v1/admin` routes: their own bearer token (never the API token) and the enrolment
   * backend, or why there is none (answered 503 ADMIN_DISABLED to admin-token holders).
   * Without `admin` every admin route answers 503 ADMIN_DISABLED.
   */
  admin?: { token: string; sites: SiteAdmin | { unavailable: string } };
}

const ADMIN_OFF =
  'the admin routes are off: start the api with FEDSSD_ADMIN_TOKEN and the enrolment settings (RABBITMQ_MANAGEMENT_URL, REDIS_ADMIN_URL; docs/OPERATIONS.md)';

/**
 * Builds the Fastify app without listening (main.ts listens; tests use `inject`). Closing the
 * app ends open event streams and cancels the events subscription; it does not close `runs` or
 * `bus`, which belong to whoever built them.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  if (deps.admin !== undefined && deps.admin.token === deps.apiToken) throw new Error('the admin token must differ from the API token');
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
  const limitRate = async (scope: FastifyInstance): Promise<void> => {
    await scope.register(rateLimit, {
      max: deps.rateLimitPerMinute ?? 600,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, context) =>
        new ApiError(
          'RATE_LIMITED',
          `rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`,
        ),
    });
    scope.addHook('onRoute', documentResponses({ 429: errorResponse('Too many requests from this client IP (RATE_LIMITED)') }));
  };
  const admin = deps.admin;
  await app.register(
    async (v1) => {
      await limitRate(v1);
      requireBearer(v1, {
        token: deps.apiToken,
        scheme: 'bearer',
        refused:
          admin === undefined
            ? []
            : [{ token: admin.token, message: 'the /v1 routes take the API token (API_TOKEN); the admin token works on /v1/admin only' }],
      });
      await v1.register(
        runRoutes({ runs: deps.runs, bus: deps.bus, now, newRunId, ...(deps.sites !== undefined ? { sites: deps.sites } : {}) }),
      );
      await v1.register(siteRoutes({ sites: deps.sites, livenessWindowMs: deps.siteLivenessMs ?? 30_000, now }));
      await v1.register(roundRoutes({ runs: deps.runs, bus: deps.bus, now }));
      await v1.register(eventRoutes({ runs: deps.runs, hub, heartbeatMs: deps.sseHeartbeatMs ?? 15_000 }));
      await v1.register(modelRoutes({ runs: deps.runs, exporter: deps.modelExporter ?? createModelExporter() }));
    },
    { prefix: '/v1' },
  );
  // A sibling scope, not a child of /v1: it must not inherit the API token's hook.
  await app.register(
    async (scope) => {
      await limitRate(scope);
      if (admin === undefined) {
        scope.addHook('onRequest', async () => {
          throw new ApiError('ADMIN_DISABLED', ADMIN_OFF);
        });
        scope.addHook('onRoute', documentResponses({}, [{ adminBearer: [] }]));
      } else {
        requireBearer(scope, {
          token: admin.token,
          scheme: 'adminBearer',
          refused: [{ token: deps.apiToken, message: 'the /v1/admin routes take the admin token (FEDSSD_ADMIN_TOKEN), not the API token' }],
        });
      }
      await scope.register(adminSiteRoutes({ admin: admin?.sites ?? { unavailable: ADMIN_OFF } }));
    },
    { prefix: '/v1/admin' },
  );
  return app;
}
