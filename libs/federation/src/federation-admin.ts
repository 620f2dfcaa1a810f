import { readTlsFiles, type TlsMaterial } from '@fedssd/config';
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

function listed(urls: string | undefined): string[] {
  return urls === undefined ? [] : urls.split(',');
}

/** One admin connection, failing fast with `UNREACHABLE` and the server's reason (never the URL: it carries a password). */
async function connectAdmin(url: string, field: string, tls: TlsMaterial | undefined): Promise<Redis> {
  const redis = new Redis(url, {
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
    const u = new URL(url);
    const why = lastError?.message ?? (error as Error).message;
    throw new FederationError('UNREACHABLE', `cannot connect to Redis at ${field} (${u.hostname}:${u.port || '6379'}: ${why})`, {
      cause: error,
    });
  }
  return redis;
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
  const opened: Redis[] = [];
  const closeAll = async () => {
    for (const r of opened) {
      try {
        await r.quit();
      } catch {
        r.disconnect();
      }
    }
  };
  const connect = async (url: string, field: string) => {
    const r = await connectAdmin(url, field, tls);
    opened.push(r);
    return r;
  };
  let redis: Redis;
  let replicas: Redis[];
  let sentinels: Redis[];
  try {
    redis = await connect(config.REDIS_ADMIN_URL, 'REDIS_ADMIN_URL');
    replicas = [];
    for (const url of listed(config.REDIS_ADMIN_REPLICA_URLS)) replicas.push(await connect(url, 'REDIS_ADMIN_REPLICA_URLS'));
    sentinels = [];
    for (const url of listed(config.REDIS_ADMIN_SENTINEL_URLS)) sentinels.push(await connect(url, 'REDIS_ADMIN_SENTINEL_URLS'));
  } catch (error) {
    await closeAll();
    throw error;
  }
  const context: AdminContext = {
    prefix,
    rabbit,
    acl: new RedisAclAdmin({ primary: redis, replicas, sentinels }),
    registry: new SiteRegistry(redis, redisKeyPrefix(prefix)),
    siteRabbitUrl: withoutCredentials(config.FEDSSD_SITE_RABBITMQ_URL),
    siteRedisUrl: withoutCredentials(config.FEDSSD_SITE_REDIS_URL),
    ...(config.FEDSSD_SITE_REDIS_SENTINELS !== undefined
      ? { siteRedisSentinels: { sentinels: config.FEDSSD_SITE_REDIS_SENTINELS, name: config.FEDSSD_SITE_REDIS_SENTINEL_NAME ?? 'fedssd' } }
      : {}),
    now,
  };
  return {
    provisionSite: (input) => provisionSite(context, input),
    listSites: () => context.registry.list(),
    revokeSite: (name) => revokeSite(context, name),
    provisionServiceUser: (kind) => provisionServiceUser(context, kind),
    context,
    close: closeAll,
  };
}
