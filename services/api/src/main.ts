import { ConfigError, EXIT_CONFIG, loadConfigOrExit, readTlsFiles, sentinelOption } from '@fedssd/config';
import { closeInOrder, createLogger, createMetrics } from '@fedssd/telemetry';
import {
  createAmqpTransport,
  createRedisStores,
  createSiteDirectory,
  createRunRepository,
  TransportUnavailableError,
  type AmqpTransport,
  type RedisStores,
} from '@fedssd/transport';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ApiConfigSchema, type ApiConfig } from './config.js';
import { createModelExporter } from './model-export.js';
import { adminSettings } from './sites/admin-settings.js';
import { createFederationSiteAdmin } from './sites/federation-site-admin.js';

/** The api's composition root: config, logger, metrics, adapters, app, listen, graceful shutdown. */
async function main(): Promise<void> {
  const config: ApiConfig = loadConfigOrExit(ApiConfigSchema, process.env);
  const log = createLogger({ service: 'api', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const metrics = createMetrics({ service: 'api' });
  const prefix = config.FEDSSD_PREFIX;
  const admin = adminSettings(config);
  try {
    // Each admin request reads the TLS files again; check them now so a wrong path stops start-up, not an enrolment.
    if ('federation' in admin) readTlsFiles('REDIS_ADMIN', admin.federation);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(EXIT_CONFIG);
  }

  // Filled in as start-up proceeds; shutdown closes whatever is there.
  const open: { amqp?: AmqpTransport; redis?: RedisStores; app?: FastifyInstance } = {};

  // Installed first so a signal during start-up still closes what is already open.
  closeWithGrace(
    { delay: config.SHUTDOWN_GRACE_MS, logger: { error: (message: unknown) => log.error({ detail: message }, 'shutdown problem') } },
    async ({ signal, err }) => {
      if (err !== undefined) log.fatal({ err }, 'fatal error, shutting down');
      else log.info({ signal }, 'shutting down');
      // app.close(): readiness turns 503, the listener stops accepting, event streams end, in-flight requests finish.
      await closeInOrder(log, [
        ['http', open.app && (() => open.app!.close())],
        ['rabbitmq', open.amqp && (() => open.amqp!.close())],
        ['redis', open.redis && (() => open.redis!.close())],
      ]);
    },
  );

  const rabbitTls = readTlsFiles('RABBITMQ', config);
  const redisTls = readTlsFiles('REDIS', config);
  const sentinel = sentinelOption(config);
  const amqp = (open.amqp = await createAmqpTransport({
    url: config.RABBITMQ_URL,
    ...(prefix !== undefined ? { prefix } : {}),
    jobAttempts: config.FEDSSD_JOB_ATTEMPTS,
    connectionName: 'fedssd-api',
    declareTopology: config.API_DECLARE_TOPOLOGY,
    ...(rabbitTls !== undefined ? { tls: rabbitTls } : {}),
    onConnectionEvent: (event, detail) => log[event === 'connected' ? 'info' : 'warn']({ event, detail }, 'broker connection'),
  }));
  const redis = (open.redis = await createRedisStores({
    url: config.REDIS_URL,
    ...(sentinel !== undefined ? { sentinel } : {}),
    ...(prefix !== undefined ? { keyPrefix: `${prefix}:` } : {}),
    ...(redisTls !== undefined ? { tls: redisTls } : {}),
  }));

  const app = (open.app = await buildApp({
    runs: createRunRepository(redis.state, redis.blobs),
    bus: amqp.bus,
    metrics,
    logger: log,
    apiToken: config.API_TOKEN,
    sites: createSiteDirectory(redis.state),
    siteLivenessMs: config.SITE_LIVENESS_MS,
    ...(admin.token !== undefined
      ? {
          admin: {
            token: admin.token,
            sites: 'federation' in admin ? createFederationSiteAdmin(admin.federation) : { unavailable: admin.unavailable },
          },
        }
      : {}),
    // Loads TensorFlow.js on the first export request: start-up does not wait seconds for it.
    modelExporter: createModelExporter(),
    bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
    rateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
    trustProxy: config.API_TRUST_PROXY,
    readiness: {
      broker: async () => {
        if (!amqp.connection.connected) throw new Error('not connected');
        await amqp.jobs.depth(); // a real round trip, not just a flag
      },
      redis: () => redis.state.ping(),
    },
    queueDepths: async () => ({ jobs: await amqp.jobs.depth() }),
  }));
  await app.listen({ port: config.API_PORT, host: config.API_HOST });
  log.info(
    { adminRoutes: admin.token === undefined ? 'off' : 'federation' in admin ? 'on' : 'token only (enrolment not configured)' },
    'api listening',
  );
}

main().catch((error: unknown) => {
  // Start-up failed before or while connecting (e.g. the broker never answered): say so and exit non-zero.
  // An unreachable broker or store, or a queue left by an older release: one line, no stack trace.
  console.error(
    error instanceof TransportUnavailableError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(1);
});
