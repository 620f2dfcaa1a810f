import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import { envBool, envInt, envLogLevel, envPort, envSecret, envString, envUrl } from '@fedssd/config';
import { z } from 'zod';

/** Environment of the api service; parsed once in main.ts with `loadConfig`. */
export const ApiConfigSchema = z.object({
  /** TCP port; default 8080. */
  API_PORT: envPort().default(8080),
  /** Interface to bind; default all interfaces. */
  API_HOST: envString(255).default('0.0.0.0'),
  /** Bearer token for every /v1 route (or API_TOKEN_FILE); at least 16 characters. */
  API_TOKEN: envSecret(16),
  RABBITMQ_URL: envUrl(['amqp:', 'amqps:']).default('amqp://guest:guest@127.0.0.1:5672'),
  REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /**
   * Declare the broker topology on connect (default true). Set false when the api runs on its own
   * least-privilege user (no configure permission): the aggregator declares the topology then,
   * and must be up first.
   */
  API_DECLARE_TOPOLOGY: envBool().default(true),
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
  LOG_LEVEL: envLogLevel().default('info'),
  /** Human-readable logs (only on a TTY with pino-pretty installed). */
  LOG_PRETTY: envBool().default(false),
  /** Largest accepted request body in bytes; default 64 KiB. */
  API_BODY_LIMIT_BYTES: envInt(1024, 16 * 1024 * 1024).default(65_536),
  /** Requests per client IP per minute on /v1; default 600. */
  API_RATE_LIMIT_PER_MINUTE: envInt(1, 1_000_000).default(600),
  /** Trust X-Forwarded-For from a proxy in front (ingress), so rate limits and logs see client IPs; default false. */
  API_TRUST_PROXY: envBool().default(false),
  /** How long shutdown waits for in-flight work before exiting non-zero, in milliseconds; default 10 s. */
  SHUTDOWN_GRACE_MS: envInt(100, 600_000).default(10_000),
});

export type ApiConfig = z.output<typeof ApiConfigSchema>;
