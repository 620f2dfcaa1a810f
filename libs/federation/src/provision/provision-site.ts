import {
  checkSiteName,
  DEFAULT_JOB_ATTEMPTS,
  federatedNames,
  MAX_DECLARED_SAMPLES,
  siteRoutingKey,
  siteUserName,
  workQueueArguments,
  type QueueArguments,
  type SiteRecord,
} from '@fedssd/protocol';
import { FederationError } from '../errors.js';
import { siteRabbitPermissions, siteTopicPermissions } from '../rules/rabbit-rules.js';
import { siteRedisAcl } from '../rules/redis-rules.js';
import { credentialsBundle, type CredentialsBundle } from './credentials-bundle.js';
import { newPassword } from './passwords.js';
import type { AdminContext } from './admin-context.js';

export interface ProvisionSiteInput {
  /** `[a-z0-9][a-z0-9-]{0,31}`. */
  name: string;
  /** Most samples the site may report per update (caps its FedAvg weight); 1..100,000,000. */
  declaredSamples: number;
}

/** The enrolment record and the credentials, which exist only in this value: write them out once. */
export interface ProvisionedSite {
  record: SiteRecord;
  bundle: CredentialsBundle;
}

function checkInput(input: ProvisionSiteInput): void {
  try {
    checkSiteName(input.name);
  } catch (error) {
    throw new FederationError('INVALID_INPUT', (error as Error).message);
  }
  const n = input.declaredSamples;
  if (!Number.isInteger(n) || n < 1 || n > MAX_DECLARED_SAMPLES) {
    throw new FederationError('INVALID_INPUT', `samples must be an integer between 1 and ${MAX_DECLARED_SAMPLES} (got ${String(n)})`);
  }
}

/**
 * A site's job queue: a quorum queue with the pool's job delivery limit, so a job that keeps
 * killing the site's trainer is dead-lettered by the broker (the aggregator then records the site
 * as failed for that round) instead of being redelivered forever.
 */
export function siteJobQueueArguments(prefix: string): QueueArguments {
  return workQueueArguments(federatedNames(prefix).dlx, DEFAULT_JOB_ATTEMPTS);
}

/**
 * Enrols a site: claims the name in the registry (refusing a name enrolled or revoked before),
 * creates the RabbitMQ user with its permissions and topic permissions, declares its job queue
 * (a quorum queue with a delivery limit, dead-lettering to `fedssd.dlx`) bound to `fedssd.site-jobs`, creates its Redis ACL user, and
 * marks the record active. Every step is an idempotent overwrite, so an enrolment that failed
 * half-way (record still `pending`) is resumed by running it again. A user of that name that
 * exists without a pending record of ours (another deployment, or a left-over) is a conflict,
 * never overwritten.
 */
export async function provisionSite(ctx: AdminContext, input: ProvisionSiteInput): Promise<ProvisionedSite> {
  checkInput(input);
  const { name } = input;
  const user = siteUserName(ctx.prefix, name);
  const existing = await ctx.registry.get(name);
  if (existing !== null && existing.state !== 'pending') {
    const when = existing.state === 'revoked' ? `revoked ${existing.revokedAt ?? ''}` : `enrolled ${existing.enrolledAt ?? ''}`;
    throw new FederationError(
      'DUPLICATE',
      `site ${name} already exists (${when.trim()}); site names are never reused: choose another name`,
    );
  }
  const createdAt = ctx.now().toISOString();
  const pending: SiteRecord = existing ?? { name, state: 'pending', declaredSamples: input.declaredSamples, user, createdAt };
  if (existing === null) {
    if (await ctx.rabbit.hasUser(user)) throw conflict(name, `RabbitMQ user ${user}`);
    if (await ctx.acl.hasUser(user)) throw conflict(name, `Redis ACL user ${user}`);
    if (!(await ctx.registry.claim(pending))) throw new FederationError('DUPLICATE', `site ${name} is being enrolled by someone else`);
  }
  const names = federatedNames(ctx.prefix);
  const rabbitPassword = newPassword();
  const redisPassword = newPassword();
  await ctx.rabbit.putUser(user, rabbitPassword);
  await ctx.rabbit.putPermissions(user, siteRabbitPermissions(ctx.prefix, name));
  await ctx.rabbit.putTopicPermissions(user, siteTopicPermissions(ctx.prefix, name));
  await ctx.rabbit.putQueue(names.siteJobQueue(name), siteJobQueueArguments(ctx.prefix));
  await ctx.rabbit.putExchange(names.siteJobsExchange, 'direct');
  await ctx.rabbit.bindQueue(names.siteJobsExchange, names.siteJobQueue(name), siteRoutingKey(name));
  await ctx.acl.setUser(user, siteRedisAcl(ctx.prefix, name, redisPassword));
  const enrolledAt = ctx.now().toISOString();
  const record: SiteRecord = { ...pending, declaredSamples: input.declaredSamples, state: 'active', enrolledAt };
  await ctx.registry.put(record);
  const bundle = credentialsBundle({
    site: name,
    prefix: ctx.prefix,
    user,
    rabbitPassword,
    redisPassword,
    rabbitUrl: ctx.siteRabbitUrl,
    redisUrl: ctx.siteRedisUrl,
    redisSentinels: ctx.siteRedisSentinels,
    enrolledAt,
  });
  return { record, bundle };
}

function conflict(name: string, what: string): FederationError {
  return new FederationError(
    'CONFLICT',
    `${what} already exists but site ${name} is not enrolled in this deployment (another deployment's user, or a left-over): remove it or choose another name`,
  );
}
