import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import { envBool, envEnum, envInt, envLogLevel, envUrl } from '@fedssd/config';
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
  /** TF.js backend for evaluation and the initial model; default auto (wasm here). */
  FEDSSD_BACKEND: envEnum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  LOG_LEVEL: envLogLevel().default('info'),
  LOG_PRETTY: envBool().default(false),
  /** How long shutdown waits for in-flight work before exiting non-zero, in milliseconds; default 30 s. */
  SHUTDOWN_GRACE_MS: envInt(100, 600_000).default(30_000),
});

export type AggregatorConfig = z.output<typeof AggregatorConfigSchema>;
