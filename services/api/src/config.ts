import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import { checkRedisHaAdmin, redisHaAdminFields } from '@fedssd/federation';
import {
  envBool,
  envInt,
  envLogLevel,
  envPort,
  envSecret,
  envString,
  envUrl,
  envUrlList,
  tlsFileFields,
  sentinelFields,
} from '@fedssd/config';
import { z } from 'zod';

/**
 * Environment of the api service; parsed once in main.ts with `loadConfig`. The admin part
 * (`FEDSSD_ADMIN_TOKEN` and the enrolment credentials) is optional: without it the api runs and
 * its `/v1/admin` routes answer 503 ADMIN_DISABLED (see `adminSettings`).
 */
export const ApiConfigSchema = z
  .object({
    /** TCP port; default 8080. */
    API_PORT: envPort().default(8080),
    /** Interface to bind; default all interfaces. */
    API_HOST: envString(255).default('0.0.0.0'),
    /** Bearer token for every /v1 route except /v1/admin (or API_TOKEN_FILE); at least 16 characters. */
    API_TOKEN: envSecret(16),
    RABBITMQ_URL: envUrlList(['amqp:', 'amqps:']).default('amqp://guest:guest@127.0.0.1:5672'),
    REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    /** Find the Redis primary through these Sentinels (`host:port,...`); REDIS_URL then gives only user, password and database. */
    ...sentinelFields(),
    /**
     * Declare the broker topology on connect (default true). Set false when the api runs on its own
     * least-privilege user (no configure permission): the aggregator declares the topology then,
     * and must be up first.
     */
    API_DECLARE_TOPOLOGY: envBool().default(true),
    /** CA, client certificate and key (PEM files) for amqps: and rediss: connections; each optional. */
    ...tlsFileFields('RABBITMQ'),
    ...tlsFileFields('REDIS'),
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
    /** A site counts as live in `GET /v1/sites` when its last heartbeat is at most this old, in milliseconds; default 30 s. */
    SITE_LIVENESS_MS: envInt(1_000, 86_400_000).default(30_000),
    /** Bearer token of the /v1/admin routes (or FEDSSD_ADMIN_TOKEN_FILE); at least 16 characters, never the API token. Admin routes are off without it. */
    FEDSSD_ADMIN_TOKEN: envSecret(16).optional(),
    /** RabbitMQ management API the admin routes enrol through (credentials may be in the URL); no default: unset turns enrolment off. */
    RABBITMQ_MANAGEMENT_URL: envUrl(['http:', 'https:']).optional(),
    /** A RabbitMQ user with the `administrator` tag, unless given in RABBITMQ_MANAGEMENT_URL. */
    RABBITMQ_ADMIN_USER: envString(256).optional(),
    RABBITMQ_ADMIN_PASSWORD: envSecret().optional(),
    /** Virtual host of the deployment; default `/`. */
    RABBITMQ_VHOST: envString(256).default('/'),
    /** Redis as a user allowed to run ACL and CLIENT KILL; no default: unset turns enrolment off. */
    REDIS_ADMIN_URL: envUrl(['redis:', 'rediss:']).optional(),
    ...tlsFileFields('REDIS_ADMIN'),
    /** Broker URL written into site bundles (as sites reach it), without credentials; default amqp://127.0.0.1:5672. */
    FEDSSD_SITE_RABBITMQ_URL: envUrl(['amqp:', 'amqps:']).default('amqp://127.0.0.1:5672'),
    /** Redis URL written into site bundles, without credentials; default redis://127.0.0.1:6379. */
    FEDSSD_SITE_REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    /** Replicas and Sentinels enrolment writes users to, and the Sentinels written into site bundles (OPERATIONS.md). */
    ...redisHaAdminFields(),
  })
  .superRefine((config, ctx) => {
    checkRedisHaAdmin(config, ctx);
    // One token for both scopes would make the separation meaningless.
    if (config.FEDSSD_ADMIN_TOKEN !== undefined && config.FEDSSD_ADMIN_TOKEN === config.API_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['FEDSSD_ADMIN_TOKEN'], message: 'must differ from API_TOKEN' });
    }
  });

export type ApiConfig = z.output<typeof ApiConfigSchema>;
