import type { SentinelOptions } from '@fedssd/transport';
import type { RabbitManagement } from '../admin/rabbit-management.js';
import type { RedisAclAdmin } from '../admin/redis-admin.js';
import type { SiteRegistry } from '../admin/site-registry.js';

/** What enrolment and revocation act on; built by `createFederationAdmin` (tests build their own). */
export interface AdminContext {
  /** Deployment prefix ('' for none). */
  readonly prefix: string;
  readonly rabbit: RabbitManagement;
  readonly acl: RedisAclAdmin;
  readonly registry: SiteRegistry;
  /** Broker URL sites connect to, without credentials. */
  readonly siteRabbitUrl: string;
  /** Redis URL sites connect to, without credentials. */
  readonly siteRedisUrl: string;
  /** Sentinels sites ask for the primary (written into bundles); absent: sites use `siteRedisUrl` directly. */
  readonly siteRedisSentinels?: SentinelOptions;
  readonly now: () => Date;
}
