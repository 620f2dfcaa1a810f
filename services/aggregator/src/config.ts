import { envBool, envEnum, envInt, envLogLevel, envString, envUrl, tlsFileFields } from '@fedssd/config';
import { z } from 'zod';

/** Environment of the aggregator; parsed once in main.ts with `loadConfig`. */
export const AggregatorConfigSchema = z.object({
  RABBITMQ_URL: envUrl(['amqp:', 'amqps:']).default('amqp://guest:guest@127.0.0.1:5672'),
  REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Prefix of broker names and Redis keys (parallel deployments on one broker); default none. */
  FEDSSD_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1-64 characters of [A-Za-z0-9_-]' })
    .optional(),
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
  /** TF.js backend for evaluation and the initial model; default auto (wasm here). */
  FEDSSD_BACKEND: envEnum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  LOG_LEVEL: envLogLevel().default('info'),
  LOG_PRETTY: envBool().default(false),
  /** How long shutdown waits for in-flight work before exiting non-zero, in milliseconds; default 30 s. */
  SHUTDOWN_GRACE_MS: envInt(100, 600_000).default(30_000),
});

export type AggregatorConfig = z.output<typeof AggregatorConfigSchema>;
