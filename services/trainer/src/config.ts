import { envBool, envEnum, envInt, envLogLevel, envString, envUrl, envUrlList, tlsFileFields, sentinelFields } from '@fedssd/config';
import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import { z } from 'zod';

/** Environment of a trainer; parsed once in main.ts with `loadConfig`. */
export const TrainerConfigSchema = z.object({
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
  /** Port of /metrics and /healthz; default 9102, 0 picks a free one (logged). */
  TRAINER_METRICS_PORT: envInt(0, 65_535).default(9102),
  TRAINER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** Worker id in update-ready messages; default `<hostname>-<pid>`. */
  TRAINER_ID: z.string().min(1).max(128).optional(),
  /** Prepared runs kept in memory; default 2. */
  TRAINER_RUN_CACHE_SIZE: envInt(1, 64).default(2),
  /** CA, client certificate and key (PEM files) for amqps: and rediss: connections; each optional. */
  ...tlsFileFields('RABBITMQ'),
  ...tlsFileFields('REDIS'),
  /**
   * Federated mode: this trainer is the site SITE_NAME (its broker and Redis users come in the
   * URLs of its credentials bundle), trains only its own jobs, on the images in SITE_DATA_DIR.
   * Absent: a simulation-mode pool trainer.
   */
  SITE_NAME: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { error: 'must be a site name: 1-32 characters of [a-z0-9-]' })
    .optional(),
  /** Federated mode: the folder of the site's images (PNG/JPEG files, IDX or CIFAR-10 binaries). */
  SITE_DATA_DIR: envString().optional(),
  /** Federated mode: heartbeat interval in milliseconds; default 10000. */
  SITE_HEARTBEAT_MS: envInt(500, 600_000).default(10_000),
  /** TF.js backend; default auto (tfjs-node-gpu, tfjs-node, wasm, cpu: first that loads). */
  FEDSSD_BACKEND: envEnum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  LOG_LEVEL: envLogLevel().default('info'),
  LOG_PRETTY: envBool().default(false),
  /** How long shutdown waits for the aborted job to hand back, in milliseconds; default 30 s. */
  SHUTDOWN_GRACE_MS: envInt(100, 600_000).default(30_000),
});

/** The trainer's schema with its cross-field rule: a site needs its data folder. */
export const TrainerEnvSchema = TrainerConfigSchema.superRefine((c, ctx) => {
  if (c.SITE_NAME !== undefined && c.SITE_DATA_DIR === undefined) {
    ctx.addIssue({ code: 'custom', path: ['SITE_DATA_DIR'], message: 'is required with SITE_NAME: the folder of the site images' });
  }
  if (c.SITE_NAME === undefined && c.SITE_DATA_DIR !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['SITE_NAME'], message: 'is required with SITE_DATA_DIR: the site this trainer is' });
  }
});

export type TrainerConfig = z.output<typeof TrainerConfigSchema>;
