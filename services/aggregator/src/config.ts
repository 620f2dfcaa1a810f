import { envBool, envEnum, envInt, envLogLevel, envString, envUrl, envUrlList, tlsFileFields, sentinelFields } from '@fedssd/config';
import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import { z } from 'zod';

/** Environment of the aggregator; parsed once in main.ts with `loadConfig`. */
export const AggregatorConfigSchema = z.object({
  RABBITMQ_URL: envUrlList(['amqp:', 'amqps:']).default('amqp://guest:guest@127.0.0.1:5672'),
  REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Find the Redis primary through these Sentinels (`host:port,...`); REDIS_URL then gives only user, password and database. */
  ...sentinelFields(),
  /** Prefix of broker names and Redis keys (parallel deployments on one broker); default none. */
  FEDSSD_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1-64 characters of [A-Za-z0-9_-]' })
    .optional(),
  /**
   * Deliveries of a training job before the broker dead-letters it and the round counts its
   * client as failed (the jobs queue's delivery limit); default 5. The same in every service:
   * the broker refuses a second declaration of the queue with another limit.
   */
  FEDSSD_JOB_ATTEMPTS: envInt(1, 100).default(DEFAULT_JOB_ATTEMPTS),
  /** Port of /metrics and /healthz; default 9101, 0 picks a free one (logged). */
  AGGREGATOR_METRICS_PORT: envInt(0, 65_535).default(9101),
  AGGREGATOR_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** Held-out test images used by server-side evaluation; default 1000. */
  AGGREGATOR_EVAL_TEST_LIMIT: envInt(1, 1_000_000).default(1000),
  /** TTL of a round's update blobs after aggregation, in seconds; default 3600. */
  AGGREGATOR_UPDATE_TTL_SECONDS: envInt(1, 30 * 86_400).default(3600),
  /** How often the job-queue depth gauge is refreshed, in milliseconds; default 5000. */
  AGGREGATOR_QUEUE_POLL_MS: envInt(100, 600_000).default(5000),
  /** CA, client certificate and key (PEM files) for amqps: and rediss: connections; each optional. */
  ...tlsFileFields('RABBITMQ'),
  ...tlsFileFields('REDIS'),
  /**
   * Federated runs: the operator's labelled evaluation set (the server holds no client data);
   * 'none' (default) leaves server-side metrics of federated runs empty. Simulation runs evaluate
   * on their own data set as before.
   */
  FEDSSD_EVAL_DATASET: envEnum(['none', 'mnist', 'fashion-mnist', 'cifar10']).default('none'),
  /** Folder of the evaluation set's files (IDX or CIFAR-10 binaries); Fashion-MNIST defaults to Debian's package. */
  FEDSSD_EVAL_DATA_DIR: envString().optional(),
  /** kNN bank images taken from the evaluation set's training split; default 10000. */
  FEDSSD_EVAL_BANK_LIMIT: envInt(1, 10_000_000).default(10_000),
  /** A site is live while its last heartbeat is younger than this, in ms; rounds sample among live sites. Default 30000. */
  SITE_LIVENESS_MS: envInt(1_000, 86_400_000).default(30_000),
  /** This replica's name as lease holder and broker connection; default `<host>-<pid>-<random>` (unique per process). */
  AGGREGATOR_REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'must be 1-100 characters of [A-Za-z0-9_.-]' })
    .optional(),
  /**
   * Lease of a run, in ms: a replica that dies or is paused keeps its runs this long after its
   * last renewal, then another replica takes them over (plus up to one scan). Renewed every
   * third of it from a worker thread; default 5000.
   */
  AGGREGATOR_LEASE_MS: envInt(1_000, 600_000).default(5_000),
  /** How often a replica looks for runs whose lease lapsed, in ms; default 1000. */
  AGGREGATOR_TAKEOVER_SCAN_MS: envInt(100, 60_000).default(1_000),
  /** How often an owner reads the inboxes of its runs (messages other replicas received), in ms; default 200. */
  AGGREGATOR_INBOX_POLL_MS: envInt(20, 10_000).default(200),
  /** Leases are no longer renewed when the event loop has not answered for this long, in ms (a hung replica lets its runs go); default 120000. */
  AGGREGATOR_MAX_STALL_MS: envInt(10_000, 3_600_000).default(120_000),
  /** TF.js backend for evaluation and the initial model; default auto (wasm here). */
  FEDSSD_BACKEND: envEnum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  LOG_LEVEL: envLogLevel().default('info'),
  LOG_PRETTY: envBool().default(false),
  /** How long shutdown waits for in-flight work before exiting non-zero, in milliseconds; default 30 s. */
  SHUTDOWN_GRACE_MS: envInt(100, 600_000).default(30_000),
});

export type AggregatorConfig = z.output<typeof AggregatorConfigSchema>;
