import { FederationError } from '@fedssd/federation';
import { siteLivenessKey, siteRecordKey, sitesIndexKey, siteUserName, type SiteLiveness, type SiteRecord } from '@fedssd/protocol';
import type { StateStore } from '@fedssd/transport';
import type { SiteAdmin } from '../src/index.js';

/** Writes an enrolment record (and, when given, a liveness record) where the registry and the aggregator put them. */
export async function seedSite(
  state: StateStore,
  record: Partial<SiteRecord> & Pick<SiteRecord, 'name'>,
  liveness?: Omit<SiteLiveness, 'site'>,
): Promise<SiteRecord> {
  const full: SiteRecord = {
    state: 'active',
    declaredSamples: 1000,
    user: siteUserName('', record.name),
    createdAt: '2026-12-01T00:00:00.000Z',
    enrolledAt: '2026-12-01T00:00:01.000Z',
    ...record,
  };
  await state.setJson(siteRecordKey(full.name), full);
  await state.addToSet(sitesIndexKey(), full.name);
  if (liveness !== undefined) await state.setJson(siteLivenessKey(full.name), { site: full.name, ...liveness });
  return full;
}

/**
 * An in-memory {@link SiteAdmin} with the behaviour of `@fedssd/federation` the routes rely on:
 * records in the same keys (so `GET /v1/sites` sees them), names never reused (DUPLICATE),
 * unknown names NOT_FOUND, revocation idempotent. Passwords are fixed strings tests can search
 * logs and other answers for. `failWith` makes the next call throw that error instead.
 */
export function createFakeSiteAdmin(state: StateStore, now: () => Date = () => new Date('2026-12-05T10:00:00Z')) {
  let failure: unknown;
  const get = (name: string) => state.getJson<SiteRecord>(siteRecordKey(name));
  const failIfAsked = () => {
    const error = failure;
    failure = undefined;
    if (error !== undefined) throw error;
  };
  const admin: SiteAdmin & { failWith(error: unknown): void; passwordsOf(name: string): string[] } = {
    failWith(error) {
      failure = error;
    },
    passwordsOf: (name) => [`rabbit-secret-of-${name}`, `redis-secret-of-${name}`],
    async provisionSite({ name, declaredSamples }) {
      failIfAsked();
      const existing = await get(name);
      if (existing !== null)
        throw new FederationError('DUPLICATE', `site ${name} already exists; site names are never reused: choose another name`);
      const at = now().toISOString();
      const record = await seedSite(state, { name, declaredSamples, createdAt: at, enrolledAt: at });
      const [rabbit, redis] = admin.passwordsOf(name);
      return {
        record,
        bundle: {
          envFile: `SITE_NAME=${name}\nRABBITMQ_URL=amqp://${record.user}:${rabbit}@broker:5672\nREDIS_URL=redis://${record.user}:${redis}@redis:6379\n`,
          secretYaml: `kind: Secret\nstringData:\n  RABBITMQ_URL: amqp://${record.user}:${rabbit}@broker:5672\n`,
        },
      };
    },
    async listSites() {
      failIfAsked();
      const names = await state.listSet(sitesIndexKey());
      return (await Promise.all(names.map(get))).filter((r): r is SiteRecord => r !== null);
    },
    async revokeSite(name) {
      failIfAsked();
      const record = await get(name);
      if (record === null) throw new FederationError('NOT_FOUND', `site ${name} is not enrolled`);
      const revoked: SiteRecord = { ...record, state: 'revoked', revokedAt: record.revokedAt ?? now().toISOString() };
      await state.setJson(siteRecordKey(name), revoked);
      return { record: revoked, rabbitConnectionsClosed: 0, redisConnectionsKilled: record.state === 'revoked' ? 0 : 1 };
    },
  };
  return admin;
}
