import { modelKey } from '@fedssd/protocol';
import { createAmqpSiteTransport, createRedisStores, TransportUnavailableError } from '@fedssd/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeSite } from '../src/index.js';
import {
  asBrokerUser,
  asRedisUser,
  createFederationFixture,
  probeBroker,
  queueDepth,
  requireOrSkip,
  type FederationFixture,
} from './support.js';

const unavailable = await probeBroker();
requireOrSkip(unavailable, 'revocation test');

const waitUntil = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.skipIf(unavailable !== undefined)('revoking a site', () => {
  let f: FederationFixture;
  beforeAll(async () => {
    f = await createFederationFixture(['a']);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('when a connected site is revoked, then both servers close its connections within seconds and its next publish and command are refused', async () => {
    const site = f.sites.a!;
    await f.admin.set(f.keyPrefix + modelKey('run1', 0), 'model-v0');
    const events: string[] = [];
    const transport = await createAmqpSiteTransport({
      url: site.amqpUrl,
      prefix: f.prefix,
      site: 'a',
      startTimeoutMs: 5_000,
      publishTimeoutMs: 1_000,
      reconnectInitialDelayMs: 100,
      onConnectionEvent: (event) => void events.push(event),
    });
    const jobs = await transport.jobs.consumeJobs(async (_job, ctx) => ctx.ack());
    const stores = await createRedisStores({
      url: site.redisUrl,
      readyCheck: false,
      keyPrefix: f.keyPrefix,
      connectionName: 'site-a-test',
    });
    const redisEvents: string[] = [];
    stores.redis.on('close', () => void redisEvents.push('close'));
    try {
      expect(Buffer.from((await stores.blobs.getBlob(modelKey('run1', 0)))!).toString()).toBe('model-v0');
      expect(transport.connection.connected).toBe(true);

      const result = await revokeSite(f.ctx, 'a');
      await waitUntil(
        () => events.includes('disconnected') && redisEvents.includes('close'),
        5_000,
        'both servers to close the connections',
      );
      expect(result.record).toMatchObject({ name: 'a', state: 'revoked' });
      expect(result.redisConnectionsKilled).toBe(1);

      // The live clients cannot get back in: the broker refuses the login, Redis the password.
      await expect(
        transport.publish({ type: 'site.heartbeat', version: 1, samples: 1, backend: 'wasm', softwareVersion: '0', sentAt: 1 }),
      ).rejects.toBeInstanceOf(TransportUnavailableError);
      expect(await asBrokerUser(site.amqpUrl, async () => {}).catch((error: Error) => error.message)).toMatch(
        /ACCESS_REFUSED|ACCESS-REFUSED/,
      );
      const fresh = await asRedisUser(site.redisUrl, (r) => r.get(f.keyPrefix + modelKey('run1', 0)));
      expect(fresh).toMatchObject({ ok: false, error: expect.stringMatching(/WRONGPASS|NOAUTH|invalid username-password/i) });
      expect(await stores.redis.get(f.keyPrefix + modelKey('run1', 0)).catch((error: Error) => `refused: ${error.message}`)).toMatch(
        /^refused: /,
      );

      // Its queue is gone and its record says revoked; the name stays taken.
      expect(await queueDepth(f.guest, `${f.prefix}.fedssd.jobs.site.a`)).toBe('missing');
      expect((await f.ctx.registry.get('a'))?.revokedAt).toEqual(expect.any(String));
      expect(await f.ctx.rabbit.hasUser(site.user)).toBe(false);
      expect(await f.ctx.acl.hasUser(site.user)).toBe(false);
    } finally {
      await jobs.cancel();
      await transport.close();
      stores.redis.disconnect();
    }
  });
});
