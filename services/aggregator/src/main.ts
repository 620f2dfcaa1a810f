import type * as Native from '@fedssd/native';
import { setFoldKernel } from '@fedssd/fedavg';
import { closeInOrder, createLogger, createMetrics, startOpsServer, type OpsServer } from '@fedssd/telemetry';
import { initBackend, setCrc32 } from '@fedssd/tensor';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { loadConfigOrExit, readTlsFiles, sentinelOption } from '@fedssd/config';
import { declareFederatedTopology } from '@fedssd/federation';
import {
  AmqpSiteJobPublisher,
  createAmqpTransport,
  createRedisStores,
  guardOwnershipStore,
  guardRunRepository,
  createRunRepository,
  createWorkerLeaseKeeper,
  subscribeSiteMessages,
  TransportUnavailableError,
  type AmqpTransport,
  type RedisStores,
} from '@fedssd/transport';
import closeWithGrace from 'close-with-grace';
import { createAggregator, createEngineEvaluator, type Aggregator, type OperatorEvalSet } from '@fedssd/runtime';
import { AggregatorConfigSchema, type AggregatorConfig } from './config.js';
import { createDatasetLoader, loadDataset } from '@fedssd/data/node';

const NATIVE_PACKAGE = '@fedssd/native';

/**
 * Installs `@fedssd/native`'s SIMD fold (same bytes as the JS kernel; setFoldKernel checks) and
 * ISA-L CRC-32 (same values as zlib's; setCrc32 checks) when the addon is built. Returns one line
 * saying what runs; a missing or refused addon leaves the JS fold and zlib's CRC-32, never a crash.
 */
async function installNativeFastPaths(): Promise<string> {
  try {
    // An optional dependency: absent or unbuilt, the import or the load fails and the JS paths stay.
    const native: typeof Native = await import('@fedssd/native');
    const load = native.loadFoldAddon();
    if (!load.ok) return `${NATIVE_PACKAGE}: ${load.reason}; JS fold, zlib crc32`;
    setFoldKernel(load.addon.fold);
    if (load.addon.crc32 !== undefined) setCrc32(load.addon.crc32);
    const info = load.addon.info();
    return `${NATIVE_PACKAGE}: fold ${info.foldIsa}, crc32 ${info.crc32 === 'none' ? 'zlib' : info.crc32}`;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return `${NATIVE_PACKAGE}: ${text.split('\n')[0] ?? text}; JS fold, zlib crc32`;
  }
}

/** The operator's evaluation set of federated runs, loaded once on first use (none unless configured). */
function operatorEvalSet(config: AggregatorConfig): () => Promise<OperatorEvalSet | undefined> {
  const name = config.FEDSSD_EVAL_DATASET;
  if (name === 'none') return async () => undefined;
  let loaded: Promise<OperatorEvalSet> | undefined;
  const dir = config.FEDSSD_EVAL_DATA_DIR !== undefined ? { dataDir: config.FEDSSD_EVAL_DATA_DIR } : {};
  return () =>
    (loaded ??= (async () => ({
      train: await loadDataset({ name, split: 'train', limit: config.FEDSSD_EVAL_BANK_LIMIT, ...dir }),
      test: await loadDataset({ name, split: 'test', limit: config.AGGREGATOR_EVAL_TEST_LIMIT, ...dir }),
    }))());
}

/** The aggregator's composition root: config, logger, metrics, backend, adapters, state machine, ops server, shutdown. */
async function main(): Promise<void> {
  const config: AggregatorConfig = loadConfigOrExit(AggregatorConfigSchema, process.env);
  const log = createLogger({ service: 'aggregator', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const metrics = createMetrics({ service: 'aggregator' });
  const prefix = config.FEDSSD_PREFIX;
  const open: {
    amqp?: AmqpTransport;
    redis?: RedisStores;
    aggregator?: Aggregator;
    ops?: OpsServer;
    poll?: ReturnType<typeof setInterval>;
  } = {};

  closeWithGrace(
    { delay: config.SHUTDOWN_GRACE_MS, logger: { error: (message: unknown) => log.error({ detail: message }, 'shutdown problem') } },
    async ({ signal, err }) => {
      if (err !== undefined) log.fatal({ err }, 'fatal error, shutting down');
      else log.info({ signal }, 'shutting down');
      if (open.poll) clearInterval(open.poll);
      // Intake stops first; in-flight round steps finish (their state is in Redis either way).
      await closeInOrder(log, [
        ['aggregator', open.aggregator && (() => open.aggregator!.close())],
        ['ops', open.ops && (() => open.ops!.close())],
        ['rabbitmq', open.amqp && (() => open.amqp!.close())],
        ['redis', open.redis && (() => open.redis!.close())],
      ]);
    },
  );

  const backend = await initBackend(config.FEDSSD_BACKEND);
  metrics.setBackend(backend.kind);
  log.info({ backend: backend.kind, notes: backend.notes }, 'backend selected');
  log.info({ note: await installNativeFastPaths() }, 'aggregation kernels');

  const rabbitTls = readTlsFiles('RABBITMQ', config);
  const redisTls = readTlsFiles('REDIS', config);
  const sentinel = sentinelOption(config);
  // Unique per process: the lease holder's name, in logs and on the broker connection.
  const replicaId = config.AGGREGATOR_REPLICA_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const amqp = (open.amqp = await createAmqpTransport({
    url: config.RABBITMQ_URL,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(rabbitTls !== undefined ? { tls: rabbitTls } : {}),
    jobAttempts: config.FEDSSD_JOB_ATTEMPTS,
    connectionName: `fedssd-aggregator-${replicaId}`,
    // Federated mode's exchanges and the aggregator's site-updates queue; sites declare nothing.
    extraTopology: (channel) => declareFederatedTopology(channel, prefix ?? ''),
    onConnectionEvent: (event, detail) => log[event === 'connected' ? 'info' : 'warn']({ event, detail }, 'broker connection'),
    // Malformed commands and updates are dead-lettered by the transport; count them so they show on /metrics.
    onInvalidMessage: (reason, channel) => {
      if (channel === 'updates') metrics.updatesRejectedTotal.inc({ reason: 'malformed' });
      log.warn({ channel, reason }, 'invalid message dead-lettered');
    },
  }));
  const redis = (open.redis = await createRedisStores({
    url: config.REDIS_URL,
    ...(sentinel !== undefined ? { sentinel } : {}),
    ...(prefix !== undefined ? { keyPrefix: `${prefix}:` } : {}),
    ...(redisTls !== undefined ? { tls: redisTls } : {}),
  }));

  open.ops = await startOpsServer({
    port: config.AGGREGATOR_METRICS_PORT,
    host: config.AGGREGATOR_METRICS_HOST,
    registry: metrics.registry,
    healthy: async () => (amqp.connection.connected ? undefined : 'broker not connected'),
  });
  log.info({ port: open.ops.port }, 'metrics listening');

  const aggregator = (open.aggregator = createAggregator({
    bus: amqp.bus,
    jobs: amqp.jobs,
    // Refuses a state older than one this process wrote or read (a failover that lost writes).
    runs: guardRunRepository(createRunRepository(redis.state, redis.blobs)),
    blobs: redis.blobs,
    logger: log,
    metrics,
    loadData: createDatasetLoader(),
    evaluate: createEngineEvaluator({ perClientEvalLimit: 200, operatorEvalSet: operatorEvalSet(config) }),
    options: { evalTestLimit: config.AGGREGATOR_EVAL_TEST_LIMIT, updateTtlSeconds: config.AGGREGATOR_UPDATE_TTL_SECONDS },
    federation: {
      siteJobs: new AmqpSiteJobPublisher(amqp.connection),
      siteMessages: {
        subscribe: (handler) =>
          subscribeSiteMessages(amqp.connection, handler, (reason, origin) => {
            metrics.updatesRejectedTotal.inc({ reason: 'malformed' });
            log.warn({ reason, userId: origin.userId, routingKey: origin.routingKey }, 'site message dead-lettered');
          }),
      },
      state: redis.state,
      livenessMs: config.SITE_LIVENESS_MS,
    },
    // Always leased, so a second replica (scaled up, or overlapping in a rollout) can never race this one.
    replicas: {
      store: guardOwnershipStore(redis.ownership),
      keeper: createWorkerLeaseKeeper({
        url: config.REDIS_URL,
        ...(sentinel !== undefined ? { sentinel } : {}),
        ...(sentinel !== undefined ? { sentinel } : {}),
        ...(prefix !== undefined ? { keyPrefix: `${prefix}:` } : {}),
        owner: replicaId,
        ttlMs: config.AGGREGATOR_LEASE_MS,
        maxStallMs: config.AGGREGATOR_MAX_STALL_MS,
        connectionName: `fedssd-aggregator-leases-${replicaId}`,
        onProblem: (message) => log.warn({ detail: message }, 'lease renewal problem'),
      }),
      replicaId,
      leaseMs: config.AGGREGATOR_LEASE_MS,
      scanMs: config.AGGREGATOR_TAKEOVER_SCAN_MS,
      inboxPollMs: config.AGGREGATOR_INBOX_POLL_MS,
    },
  }));
  await aggregator.start();

  const pollDepth = () =>
    amqp.jobs.depth().then(
      (n) => metrics.queueDepth.set({ queue: 'jobs' }, n),
      () => undefined,
    );
  void pollDepth();
  open.poll = setInterval(pollDepth, config.AGGREGATOR_QUEUE_POLL_MS);
  open.poll.unref();
  log.info({ prefix: prefix ?? null, replica: replicaId, leaseMs: config.AGGREGATOR_LEASE_MS }, 'aggregator ready');
}

main().catch((error: unknown) => {
  // An unreachable broker or store, or a queue left by an older release: one line, no stack trace.
  console.error(
    error instanceof TransportUnavailableError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(1);
});
