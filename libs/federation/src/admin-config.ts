import { envSecret, envSentinelName, envSentinels, envString, envUrl, envUrlList, tlsFileFields } from '@fedssd/config';
import { DEPLOYMENT_PREFIX_PATTERN } from '@fedssd/protocol';
import { z } from 'zod';

/**
 * Environment of the enrolment commands (`fedssd site add|list|revoke`), parsed with
 * `loadConfig` (so `RABBITMQ_ADMIN_PASSWORD_FILE` works). These are admin credentials: keep
 * them off site machines.
 */
/**
 * Redis with replicas and Sentinels: ACL users are not replicated, so enrolment writes every
 * user on each server Sentinel may promote and, so that sites can ask the Sentinels for the
 * primary, a login on each Sentinel that may run nothing but the two lookups ioredis sends.
 * Shared by `fedssd site` and the api's admin routes.
 */
export function redisHaAdminFields() {
  return {
    /** The deployment's other Redis servers (replicas), as a user allowed to run ACL and CLIENT KILL. */
    REDIS_ADMIN_REPLICA_URLS: envUrlList(['redis:', 'rediss:']).optional(),
    /** The Sentinels, as a Sentinel user allowed to run ACL and CLIENT KILL (`redis://admin:PASS@host:26379`). */
    REDIS_ADMIN_SENTINEL_URLS: envUrlList(['redis:', 'rediss:']).optional(),
    /** Sentinels written into site bundles (`host:port,...` as sites reach them); unset: sites connect to FEDSSD_SITE_REDIS_URL directly. */
    FEDSSD_SITE_REDIS_SENTINELS: envSentinels().optional(),
    /** The primary's name in the Sentinels' configuration, written into site bundles; default `fedssd`. */
    FEDSSD_SITE_REDIS_SENTINEL_NAME: envSentinelName().optional(),
  };
}

/** Sites told to use Sentinels need a login on them: refuses the one without the other. */
export function checkRedisHaAdmin(
  config: { FEDSSD_SITE_REDIS_SENTINELS?: unknown; REDIS_ADMIN_SENTINEL_URLS?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.FEDSSD_SITE_REDIS_SENTINELS !== undefined && config.REDIS_ADMIN_SENTINEL_URLS === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_ADMIN_SENTINEL_URLS'],
      message: 'is required with FEDSSD_SITE_REDIS_SENTINELS: site users must be created on every Sentinel',
    });
  }
}

export const FederationAdminConfigSchema = z
  .object({
    /** RabbitMQ management API (plugin `rabbitmq_management`); credentials may be in the URL. */
    RABBITMQ_MANAGEMENT_URL: envUrl(['http:', 'https:']).default('http://127.0.0.1:15672'),
    /** A RabbitMQ user with the `administrator` tag. */
    RABBITMQ_ADMIN_USER: envString(256).optional(),
    RABBITMQ_ADMIN_PASSWORD: envSecret().optional(),
    /** Virtual host of the deployment. */
    RABBITMQ_VHOST: envString(256).default('/'),
    /** Redis as a user allowed to run ACL and CLIENT KILL (the default user or an admin user). */
    REDIS_ADMIN_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    ...tlsFileFields('REDIS_ADMIN'),
    FEDSSD_PREFIX: z.string().regex(DEPLOYMENT_PREFIX_PATTERN, { error: 'must be 1-64 characters of [A-Za-z0-9_-]' }).optional(),
    /** Broker URL written into a site's bundle (as the site reaches it), without credentials. */
    FEDSSD_SITE_RABBITMQ_URL: envUrl(['amqp:', 'amqps:']).default('amqp://127.0.0.1:5672'),
    /** Redis URL written into a site's bundle, without credentials. */
    FEDSSD_SITE_REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    ...redisHaAdminFields(),
  })
  .superRefine(checkRedisHaAdmin);

export type FederationAdminConfig = z.output<typeof FederationAdminConfigSchema>;
