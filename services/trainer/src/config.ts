import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import { envBool, envEnum, envInt, envLogLevel, envUrl } from '@fedssd/config';
import { z } from 'zod';

/** Environment of a trainer; parsed once in main.ts with `loadConfig`. */
export const TrainerConfigSchema = z.object({
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
  /** Port of /metrics and /healthz; default 9102, 0 picks a free one (logged). */
  TRAINER_METRICS_PORT: envInt(0, 65_535).default(9102),
  TRAINER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** Worker id in update-ready messages; default `<hostname>-<pid>`. */
  TRAINER_ID: z.string().min(1).max(128).optional(),
  /** Prepared runs kept in memory; default 2. */
  TRAINER_RUN_CACHE_SIZE: envInt(1, 64).default(2),
  /** TF.js backend; default auto (tfjs-node-gpu, tfjs-node, wasm, cpu: first that loads). */
  FEDSSD_BACKEND: envEnum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  LOG_LEVEL: envLogLevel().default('info'),
  LOG_PRETTY: envBool().default(false),
  /** How long shutdown waits for the aborted job to hand back, in milliseconds; default 30 s. */
  SHUTDOWN_GRACE_MS: envInt(100, 600_000).default(30_000),
});

export type TrainerConfig = z.output<typeof TrainerConfigSchema>;
