import { eventsKey, modelKey, runKey, siteTargetKey, siteUpdateKey } from '@fedssd/protocol';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisStores } from '@fedssd/transport';
import { asRedisUser, createFederationFixture, probeBroker, requireOrSkip, type FederationFixture } from './support.js';
import { describeThreats, type Attacker, type Threat } from './threats.js';

const unavailable = await probeBroker();
requireOrSkip(unavailable, 'hostile-site tests on Redis');

const RUN = 'run1';

describe.skipIf(unavailable !== undefined)('a hostile site on Redis (ACL user of site A)', () => {
  let f: FederationFixture;
  let siteA: Attacker;
  let shared: Attacker;
  let seeded: unknown;
  let stolen: unknown;
  let registry: unknown[];
  const k = (key: string) => f.keyPrefix + key;
  const keys = () => ({
    model: k(modelKey(RUN, 1)),
    run: k(runKey(RUN)),
    aTarget: k(siteTargetKey(RUN, 'a')),
    bTarget: k(siteTargetKey(RUN, 'b')),
    bUpdate: k(siteUpdateKey(RUN, 'b', 1)),
    events: k(eventsKey(RUN)),
  });

  /** Every key and value, plus the one setting the CONFIG attack changes. */
  async function snapshot(): Promise<unknown> {
    const all = (await f.admin.keys('*')).sort();
    const values = await Promise.all(
      all.map(async (key) => ((await f.admin.type(key)) === 'set' ? (await f.admin.smembers(key)).sort() : f.admin.get(key))),
    );
    const slowlog = ((await f.admin.config('GET', 'slowlog-max-len')) as string[])[1];
    return { entries: all.map((key, i) => [key, values[i]]), slowlog };
  }

  beforeAll(async () => {
    f = await createFederationFixture(['a', 'b']);
    siteA = { kind: 'site-a', amqpUrl: f.sites.a!.amqpUrl, redisUrl: f.sites.a!.redisUrl };
    shared = { kind: 'shared', amqpUrl: 'unused', redisUrl: f.redisUrlAs() };
    registry = await Promise.all(['a', 'b'].map((name) => f.ctx.registry.get(name)));
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    // FLUSHALL keeps ACL users; the registry records are part of the seeded state.
    await f.admin.flushall();
    for (const record of registry) await f.ctx.registry.put(record as never);
    await f.admin.config('SET', 'slowlog-max-len', '128');
    const key = keys();
    await f.admin.set(key.run, '{"runId":"run1"}');
    await f.admin.set(key.model, 'global-model-v1');
    await f.admin.set(key.aTarget, 'a-target');
    await f.admin.set(key.bTarget, 'b-target');
    await f.admin.set(key.bUpdate, 'b-update-r1');
    stolen = undefined;
    seeded = await snapshot();
  });

  const redisAttack = (command: (redis: Redis) => Promise<unknown>) => async (who: Attacker) => {
    const result = await asRedisUser(who.redisUrl, command);
    if (!result.ok) return result.error;
    stolen = result.value;
    return 'ok';
  };
  const noPerm = (what: 'key' | 'command' | 'channel') => new RegExp(`^NOPERM .*(${what === 'command' ? 'command' : what})`, 'i');

  it('when site A connects with its bundle through createRedisStores, then it can read models and its own target and write its own update once', async () => {
    const stores = await createRedisStores({ url: siteA.redisUrl, readyCheck: false, keyPrefix: f.keyPrefix });
    try {
      expect(Buffer.from((await stores.blobs.getBlob(modelKey(RUN, 1)))!).toString()).toBe('global-model-v1');
      expect(Buffer.from((await stores.blobs.getBlob(siteTargetKey(RUN, 'a')))!).toString()).toBe('a-target');
      expect(await stores.blobs.putBlob(siteUpdateKey(RUN, 'a', 1), new Uint8Array([1, 2]), { nx: true })).toBe(true);
      expect(await stores.blobs.putBlob(siteUpdateKey(RUN, 'a', 1), new Uint8Array([9]), { nx: true })).toBe(false);
      expect(await stores.redis.exists(f.keyPrefix + siteUpdateKey(RUN, 'a', 1))).toBe(1);
    } finally {
      await stores.close();
    }
  });

  const threats: Threat[] = [
    {
      name: "read site B's update",
      attack: redisAttack((r) => r.get(keys().bUpdate)),
      refusal: noPerm('key'),
      tookEffect: async () => stolen === 'b-update-r1',
    },
    {
      name: "read site B's DSR target",
      attack: redisAttack((r) => r.get(keys().bTarget)),
      refusal: noPerm('key'),
      tookEffect: async () => stolen === 'b-target',
    },
    {
      name: 'write a global model',
      attack: redisAttack((r) => r.set(keys().model, 'evil')),
      refusal: noPerm('key'),
      tookEffect: async () => (await f.admin.get(keys().model)) === 'evil',
    },
    {
      name: "write site B's update key",
      attack: redisAttack((r) => r.set(keys().bUpdate, 'evil')),
      refusal: noPerm('key'),
      tookEffect: async () => (await f.admin.get(keys().bUpdate)) === 'evil',
    },
    {
      name: "append a forged event to the run's event log",
      attack: redisAttack((r) => r.xadd(keys().events, '*', 'k', 'run.finished:-', 'm', '{}')),
      refusal: noPerm('command'),
      tookEffect: async () => (await f.admin.exists(keys().events)) === 1,
    },
    {
      name: "read the run's event log",
      attack: redisAttack((r) => r.xrange(keys().events, '-', '+')),
      refusal: noPerm('command'),
      tookEffect: async () => Array.isArray(stolen),
    },
    {
      name: 'list every key with KEYS',
      attack: redisAttack((r) => r.keys('*')),
      refusal: noPerm('command'),
      tookEffect: async () => (stolen as string[]).includes(keys().bUpdate),
    },
    {
      name: 'list every key with SCAN',
      attack: redisAttack((r) => r.scan('0', 'COUNT', 1000)),
      refusal: noPerm('command'),
      tookEffect: async () => (stolen as [string, string[]])[1].includes(keys().bUpdate),
    },
    {
      name: 'delete a global model with DEL',
      attack: redisAttack((r) => r.del(keys().model)),
      refusal: noPerm('command'),
      tookEffect: async () => (await f.admin.exists(keys().model)) === 0,
    },
    {
      name: 'wipe the database with FLUSHALL',
      attack: redisAttack((r) => r.flushall()),
      refusal: noPerm('command'),
      tookEffect: async () => (await f.admin.dbsize()) === 0,
    },
    {
      name: 'change the server with CONFIG SET',
      attack: redisAttack((r) => r.config('SET', 'slowlog-max-len', '7')),
      refusal: noPerm('command'),
      tookEffect: async () => ((await f.admin.config('GET', 'slowlog-max-len')) as string[])[1] === '7',
    },
    {
      name: 'overwrite a global model through an EVAL script',
      attack: redisAttack((r) => r.eval("return redis.call('SET', KEYS[1], 'evil')", 1, keys().model)),
      refusal: noPerm('command'),
      tookEffect: async () => (await f.admin.get(keys().model)) === 'evil',
    },
    {
      name: 'publish on a pub/sub channel',
      attack: redisAttack((r) => r.publish(`${f.keyPrefix}fedssd:events`, 'evil')),
      refusal: noPerm('command'),
      tookEffect: async () => typeof stolen === 'number',
    },
  ];

  describeThreats(threats, () => ({ siteA, shared, snapshot, seeded: () => seeded }));
});
