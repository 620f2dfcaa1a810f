import { readTlsFiles } from '@fedssd/config';
import type { SiteRecord } from '@fedssd/protocol';
import { Redis } from 'ioredis';
import type { FederationAdminConfig } from './admin-config.js';
import { RabbitManagement } from './admin/rabbit-management.js';
import { RedisAclAdmin } from './admin/redis-admin.js';
import { SiteRegistry } from './admin/site-registry.js';
import { FederationError } from './errors.js';
import type { AdminContext } from './provision/admin-context.js';
import { provisionSite, type ProvisionedSite, type ProvisionSiteInput } from './provision/provision-site.js';
import { revokeSite, type RevokedSite } from './provision/revoke-site.js';
import { provisionServiceUser, type ServiceCredentials, type ServiceKind } from './provision/service-users.js';
import { redisKeyPrefix } from './rules/redis-rules.js';

/** Enrolment and revocation with admin credentials; `close()` ends the Redis connection. */
export interface FederationAdmin {
  provisionSite(input: ProvisionSiteInput): Promise<ProvisionedSite>;
  listSites(): Promise<SiteRecord[]>;
  revokeSite(name: string): Promise<RevokedSite>;
  provisionServiceUser(kind: ServiceKind): Promise<ServiceCredentials>;
  readonly context: AdminContext;
  close(): Promise<void>;
}

function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

/** Connects to Redis as admin (failing fast with `UNREACHABLE`) and builds the admin context from a parsed config. */
export async function createFederationAdmin(config: FederationAdminConfig, now: () => Date = () => new Date()): Promise<FederationAdmin> {
  const prefix = config.FEDSSD_PREFIX ?? '';
  const rabbit = new RabbitManagement({
    url: config.RABBITMQ_MANAGEMENT_URL,
    ...(config.RABBITMQ_ADMIN_USER !== undefined ? { user: config.RABBITMQ_ADMIN_USER } : {}),
    ...(config.RABBITMQ_ADMIN_PASSWORD !== undefined ? { password: config.RABBITMQ_ADMIN_PASSWORD } : {}),
    vhost: config.RABBITMQ_VHOST,
  });
  const tls = readTlsFiles('REDIS_ADMIN', config);
  const redis = new Redis(config.REDIS_ADMIN_URL, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    ...(tls !== undefined ? { tls } : {}),
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const why = lastError?.message ?? (error as Error).message;
    throw new FederationError('UNREACHABLE', `cannot connect to Redis at REDIS_ADMIN_URL (${why})`, { cause: error });
  }
  const context: AdminContext = {
    prefix,
    rabbit,
    acl: new RedisAclAdmin(redis),
    registry: new SiteRegistry(redis, redisKeyPrefix(prefix)),
    siteRabbitUrl: withoutCredentials(config.FEDSSD_SITE_RABBITMQ_URL),
    siteRedisUrl: withoutCredentials(config.FEDSSD_SITE_REDIS_URL),
    now,
  };
  return {
    provisionSite: (input) => provisionSite(context, input),
    listSites: () => context.registry.list(),
    revokeSite: (name) => revokeSite(context, name),
    provisionServiceUser: (kind) => provisionServiceUser(context, kind),
    context,
    close: async () => {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
