/**
 * A federated site behind Redis Sentinel: enrolment writes the site's user on the primary, the
 * replica and every Sentinel; the site finds the primary through the Sentinels with its own
 * login, keeps writing its update after the primary is killed and the replica promoted, and its
 * Sentinel login can look up the primary and nothing else (no MONITOR/REMOVE/SET/FAILOVER that
 * would redirect every service to a server of the site's choosing). Revocation removes the user
 * from every node.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createFederationAdmin, FederationAdminConfigSchema, type FederationAdmin } from '@fedssd/federation';
import { federatedNames, siteUpdateKey, siteUserName } from '@fedssd/protocol';
import { createRedisStores } from '@fedssd/transport';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { quietClient, SENTINEL_ADMIN_USER, SENTINEL_NAME, startSentinelRedis, type SentinelRedis } from './helpers/sentinel-redis.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RABBITMQ_MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const ADMIN_PASSWORD = randomBytes(12).toString('hex');
const PREFIX = `sentinel-${randomUUID().slice(0, 8)}`;
const SITE = 'plant-a';
/** A second site, enrolled and revoked before the failover (revocation needs the admin's primary). */
const REVOKED = 'plant-b';

/** What a Sentinel answers `who` for `args`: 'ok' or the error message. */
async function sentinelSays(port: number, who: { username?: string; password?: string }, args: string[]): Promise<string> {
  const r = quietClient(port, who);
  // A refused login surfaces as an 'error' event (WRONGPASS) and then a closed connection.
  let loginError: string | undefined;
  r.on('error', (error: Error) => {
    loginError ??= error.message;
  });
  try {
    await r.connect();
    await r.call(args[0]!, ...args.slice(1));
    return 'ok';
  } catch (error) {
    return loginError ?? (error as Error).message;
  } finally {
    r.disconnect();
  }
}

/** Commands that would let a holder of the login redirect the deployment, force a failover or read other users. */
const HOSTILE: string[][] = [
  ['SENTINEL', 'REMOVE', SENTINEL_NAME],
  ['SENTINEL', 'MONITOR', 'evil', '127.0.0.1', '1', '1'],
  ['SENTINEL', 'SET', SENTINEL_NAME, 'quorum', '1'],
  ['SENTINEL', 'FAILOVER', SENTINEL_NAME],
  ['SENTINEL', 'RESET', '*'],
  ['SENTINEL', 'MASTERS'],
  ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'yes'],
  ['ACL', 'LIST'],
  ['CLIENT', 'LIST'],
];

let cluster: SentinelRedis | undefined;
let admin: FederationAdmin | undefined;
let unavailable: string | undefined;
let siteEnv: Record<string, string> = {};

beforeAll(async () => {
  try {
    const connection = await amqp.connect(RABBITMQ_URL, { timeout: 2_000 });
    await connection.close();
  } catch (error) {
    unavailable = `RabbitMQ at ${RABBITMQ_URL}: ${(error as Error).message}`;
    return;
  }
  cluster = await startSentinelRedis({ sentinelAdminPassword: ADMIN_PASSWORD });
  const sentinelAdminUrls = cluster.sentinelPorts.map((p) => `redis://${SENTINEL_ADMIN_USER}:${ADMIN_PASSWORD}@127.0.0.1:${p}`);
  admin = await createFederationAdmin(
    FederationAdminConfigSchema.parse({
      RABBITMQ_MANAGEMENT_URL,
      REDIS_ADMIN_URL: `redis://127.0.0.1:${cluster.primaryPort}`,
      REDIS_ADMIN_REPLICA_URLS: `redis://127.0.0.1:${cluster.replicaPort}`,
      REDIS_ADMIN_SENTINEL_URLS: sentinelAdminUrls.join(','),
      FEDSSD_PREFIX: PREFIX,
      FEDSSD_SITE_REDIS_URL: 'redis://ignored.invalid:6379',
      FEDSSD_SITE_REDIS_SENTINELS: cluster.sentinels,
      FEDSSD_SITE_REDIS_SENTINEL_NAME: SENTINEL_NAME,
    }),
  );
  const { bundle } = await admin.provisionSite({ name: SITE, declaredSamples: 100 });
  siteEnv = Object.fromEntries(
    bundle.envFile
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}, 90_000);

afterAll(async () => {
  if (admin !== undefined) {
    // REDIS_ADMIN_URL named the killed primary, so revocation cannot read the registry any more:
    // remove what enrolment put on the shared broker directly.
    const names = federatedNames(PREFIX);
    for (const site of [SITE, REVOKED]) {
      await admin.context.rabbit.deleteUser(siteUserName(PREFIX, site)).catch(() => undefined);
      await admin.context.rabbit.deleteQueue(names.siteJobQueue(site)).catch(() => undefined);
    }
    await admin.context.rabbit.deleteExchange(names.siteJobsExchange).catch(() => undefined);
    await admin.close();
  }
  await cluster?.close();
});

function requireStack(): void {
  if (unavailable === undefined) return;
  if (process.env.CI === 'true') throw new Error(`CI=true and the site Sentinel test cannot run: ${unavailable}`);
  console.warn(`[faults] site Sentinel test skipped: ${unavailable}`);
}

const siteLogin = () => {
  const url = new URL(siteEnv.REDIS_URL!);
  return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
};

describe('a federated site behind Redis Sentinel', () => {
  it('when a site is enrolled, then its bundle names the Sentinels and its user exists on the primary, the replica and every Sentinel', async () => {
    requireStack();
    if (cluster === undefined) return;
    expect(siteEnv.REDIS_SENTINELS).toBe(cluster.sentinels);
    expect(siteEnv.REDIS_SENTINEL_NAME).toBe(SENTINEL_NAME);
    const { username } = siteLogin();
    for (const port of [cluster.primaryPort, cluster.replicaPort]) {
      const r = cluster.client(port);
      await r.connect();
      expect(await r.call('ACL', 'GETUSER', username), `user on server ${port}`).not.toBeNull();
      r.disconnect();
    }
    for (const port of cluster.sentinelPorts) {
      expect(await sentinelSays(port, siteLogin(), ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME])).toBe('ok');
    }
  });

  it("when the site's login or an anonymous client sends a Sentinel anything but the primary lookup, then the Sentinel refuses it with NOPERM", async () => {
    requireStack();
    if (cluster === undefined) return;
    for (const port of cluster.sentinelPorts) {
      for (const args of HOSTILE) {
        for (const [who, auth] of [
          ['site', siteLogin()],
          ['anonymous', {}],
        ] as const) {
          expect(await sentinelSays(port, auth, args), `${who} ${args.join(' ')} on ${port}`).toMatch(/^NOPERM/);
        }
      }
    }
    // Nothing changed: every Sentinel still monitors the one primary.
    expect(await cluster.currentPrimary()).toBe(cluster.primaryPort);
  });

  it('when a site is revoked, then its user is gone from the servers and every Sentinel refuses its login', async () => {
    requireStack();
    if (cluster === undefined || admin === undefined) return;
    const { bundle } = await admin.provisionSite({ name: REVOKED, declaredSamples: 10 });
    const url = new URL(/^REDIS_URL=(.*)$/m.exec(bundle.envFile)![1]!);
    const login = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    for (const port of cluster.sentinelPorts) {
      expect(await sentinelSays(port, login, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME])).toBe('ok');
    }
    await admin.revokeSite(REVOKED);
    for (const port of cluster.sentinelPorts) {
      expect(await sentinelSays(port, login, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME])).toMatch(/^WRONGPASS/);
    }
    for (const port of [cluster.primaryPort, cluster.replicaPort]) {
      const r = cluster.client(port);
      await r.connect();
      expect(await r.call('ACL', 'GETUSER', login.username), `user on server ${port}`).toBeNull();
      r.disconnect();
    }
  });

  it('when the primary is killed, then the site, connected through the Sentinels with its bundle, writes its next update to the promoted replica', async () => {
    requireStack();
    if (cluster === undefined) return;
    const stores = await createRedisStores({
      url: siteEnv.REDIS_URL!,
      keyPrefix: `${PREFIX}:`,
      readyCheck: false,
      sentinel: { sentinels: cluster.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), name: siteEnv.REDIS_SENTINEL_NAME! },
    });
    try {
      expect(await stores.blobs.putBlob(siteUpdateKey('run1', SITE, 1), new Uint8Array([1]), { nx: true })).toBe(true);
      await cluster.killPrimary();
      await waitFor(
        'the replica to be promoted',
        async () => ((await cluster!.currentPrimary()) === cluster!.replicaPort ? true : undefined),
        30_000,
        200,
      );
      expect(await stores.blobs.putBlob(siteUpdateKey('run1', SITE, 2), new Uint8Array([2]), { nx: true })).toBe(true);
      const promoted = cluster.client(cluster.replicaPort);
      await promoted.connect();
      expect(await promoted.exists(`${PREFIX}:${siteUpdateKey('run1', SITE, 2)}`)).toBe(1);
      promoted.disconnect();
    } finally {
      await stores.close();
    }
  }, 60_000);
});
