import type { TlsMaterial } from '@fedssd/config';
import { loadSiteData } from '@fedssd/data/node';
import { createSiteTrainer, type Trainer } from '@fedssd/runtime';
import type { Logger, Metrics, OpsServer } from '@fedssd/telemetry';
import { createAmqpSiteTransport, createRedisStores, type SentinelOptions } from '@fedssd/transport';
import type { TrainerConfig } from './config.js';

/** What the trainer's main opened, closed in order on shutdown. */
export interface Opened {
  trainer?: Trainer;
  amqp?: { close(): Promise<void> };
  redis?: { close(): Promise<void> };
  ops?: OpsServer;
}

/** The software version a site reports in its heartbeats. */
const SOFTWARE_VERSION = '0.1.0';

export interface SiteStart {
  readonly config: TrainerConfig;
  readonly site: string;
  readonly dataDir: string;
  readonly backend: string;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly open: Opened;
  readonly startOps: (connected: () => boolean) => Promise<void>;
  readonly rabbitTls: TlsMaterial | undefined;
  readonly redisTls: TlsMaterial | undefined;
  /** The Sentinels to ask for the Redis primary (REDIS_SENTINELS), logged in to as the site's user. */
  readonly sentinel: SentinelOptions | undefined;
}

/**
 * A federated site's trainer: loads the site's own images (they never leave this process),
 * connects with the site's own broker and Redis users (no topology declared: the site may
 * configure nothing), consumes only its own job queue and publishes as itself.
 */
export async function startSiteTrainer(s: SiteStart): Promise<void> {
  const prefix = s.config.FEDSSD_PREFIX;
  const data = await loadSiteData(s.dataDir);
  s.log.info(
    { site: s.site, images: data.count, shape: [data.height, data.width, data.channels], files: data.sources.length },
    'site data loaded',
  );
  const amqp = await createAmqpSiteTransport({
    url: s.config.RABBITMQ_URL,
    site: s.site,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(s.rabbitTls !== undefined ? { tls: s.rabbitTls } : {}),
    connectionName: `fedssd-site-${s.site}`,
    onConnectionEvent: (event, detail) => s.log[event === 'connected' ? 'info' : 'warn']({ event, detail }, 'broker connection'),
    onInvalidMessage: (reason) => {
      s.metrics.jobsTotal.inc({ outcome: 'malformed' });
      s.log.warn({ reason }, 'invalid job dead-lettered');
    },
  });
  s.open.amqp = amqp;
  // A site's Redis user may not run INFO: no ready check.
  const redis = await createRedisStores({
    url: s.config.REDIS_URL,
    ...(prefix !== undefined ? { keyPrefix: `${prefix}:` } : {}),
    ...(s.redisTls !== undefined ? { tls: s.redisTls } : {}),
    readyCheck: false,
    ...(s.sentinel !== undefined ? { sentinel: s.sentinel } : {}),
  });
  s.open.redis = redis;
  await s.startOps(() => amqp.connection.connected);
  const trainer = (s.open.trainer = createSiteTrainer({
    site: s.site,
    data: { images: data.images, count: data.count, shape: [data.height, data.width, data.channels] },
    jobs: amqp.jobs,
    blobs: redis.blobs,
    publish: (message) => amqp.publish(message),
    logger: s.log,
    metrics: s.metrics,
    backend: s.backend,
    softwareVersion: SOFTWARE_VERSION,
    heartbeatMs: s.config.SITE_HEARTBEAT_MS,
  }));
  await trainer.start();
  s.log.info({ site: s.site, prefix: prefix ?? null }, 'site trainer ready');
}
