import { hostname } from 'node:os';
import { loadConfigOrExit, readTlsFiles, sentinelOption } from '@fedssd/config';
import { createDatasetLoader } from '@fedssd/data/node';
import { createTrainer } from '@fedssd/runtime';
import { closeInOrder, createLogger, createMetrics, startOpsServer } from '@fedssd/telemetry';
import { initBackend } from '@fedssd/tensor';
import { createAmqpTransport, createRedisStores, createRunRepository, TransportUnavailableError } from '@fedssd/transport';
import closeWithGrace from 'close-with-grace';
import { TrainerEnvSchema, type TrainerConfig } from './config.js';
import { startSiteTrainer, type Opened } from './site-main.js';

/**
 * The trainer's composition root: a simulation-mode pool trainer, or (with SITE_NAME) a
 * federated site's trainer. SIGTERM: stop intake, abort the job at its next batch, close
 * connections, exit 0.
 */
async function main(): Promise<void> {
  const config: TrainerConfig = loadConfigOrExit(TrainerEnvSchema, process.env);
  const workerId = config.SITE_NAME ?? config.TRAINER_ID ?? `${hostname()}-${process.pid}`;
  const log = createLogger({ service: 'trainer', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }).child({ workerId });
  const metrics = createMetrics({ service: 'trainer' });
  const prefix = config.FEDSSD_PREFIX;
  const open: Opened = {};

  closeWithGrace(
    { delay: config.SHUTDOWN_GRACE_MS, logger: { error: (message: unknown) => log.error({ detail: message }, 'shutdown problem') } },
    async ({ signal, err }) => {
      if (err !== undefined) log.fatal({ err }, 'fatal error, shutting down');
      else log.info({ signal }, 'shutting down');
      await closeInOrder(log, [
        ['trainer', open.trainer && (() => open.trainer!.close())],
        ['rabbitmq', open.amqp && (() => open.amqp!.close())],
        ['redis', open.redis && (() => open.redis!.close())],
        ['ops', open.ops && (() => open.ops!.close())],
      ]);
    },
  );

  const backend = await initBackend(config.FEDSSD_BACKEND);
  metrics.setBackend(backend.kind);
  log.info({ backend: backend.kind, notes: backend.notes }, 'backend selected');
  const rabbitTls = readTlsFiles('RABBITMQ', config);
  const redisTls = readTlsFiles('REDIS', config);
  const sentinel = sentinelOption(config);
  const startOps = async (connected: () => boolean) => {
    open.ops = await startOpsServer({
      port: config.TRAINER_METRICS_PORT,
      host: config.TRAINER_METRICS_HOST,
      registry: metrics.registry,
      healthy: async () => (connected() ? undefined : 'broker not connected'),
    });
    log.info({ port: open.ops.port }, 'metrics listening');
  };

  if (config.SITE_NAME !== undefined && config.SITE_DATA_DIR !== undefined) {
    await startSiteTrainer({
      config,
      site: config.SITE_NAME,
      dataDir: config.SITE_DATA_DIR,
      backend: backend.kind,
      log,
      metrics,
      open,
      startOps,
      rabbitTls,
      redisTls,
      sentinel,
    });
    return;
  }

  const amqp = await createAmqpTransport({
    url: config.RABBITMQ_URL,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(rabbitTls !== undefined ? { tls: rabbitTls } : {}),
    jobAttempts: config.FEDSSD_JOB_ATTEMPTS,
    connectionName: `fedssd-trainer-${workerId}`,
    onConnectionEvent: (event, detail) => log[event === 'connected' ? 'info' : 'warn']({ event, detail }, 'broker connection'),
    onInvalidMessage: (reason, channel) => {
      if (channel === 'jobs') metrics.jobsTotal.inc({ outcome: 'malformed' });
      log.warn({ channel, reason }, 'invalid message dead-lettered');
    },
  });
  open.amqp = amqp;
  const redis = await createRedisStores({
    url: config.REDIS_URL,
    ...(sentinel !== undefined ? { sentinel } : {}),
    ...(prefix !== undefined ? { keyPrefix: `${prefix}:` } : {}),
    ...(redisTls !== undefined ? { tls: redisTls } : {}),
  });
  open.redis = redis;
  await startOps(() => amqp.connection.connected);
  const trainer = (open.trainer = createTrainer({
    jobs: amqp.jobs,
    bus: amqp.bus,
    runs: createRunRepository(redis.state, redis.blobs),
    blobs: redis.blobs,
    logger: log,
    metrics,
    loadData: createDatasetLoader(),
    workerId,
    runCacheSize: config.TRAINER_RUN_CACHE_SIZE,
  }));
  await trainer.start();
  log.info({ prefix: prefix ?? null }, 'trainer ready');
}

main().catch((error: unknown) => {
  // An unreachable broker or store, or a queue left by an older release: one line, no stack trace.
  console.error(
    error instanceof TransportUnavailableError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(1);
});
