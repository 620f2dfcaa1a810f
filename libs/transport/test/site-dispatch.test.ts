import { encodeSiteMessage, type SiteMessageInput } from '@fedssd/protocol';
import { describe, expect, it } from 'vitest';
import { createAmqpSiteTransport, dispatchSiteMessage, PoisonMessageError, type RawSettler } from '../src/index.js';

const heartbeat: SiteMessageInput = {
  type: 'site.heartbeat',
  version: 1,
  samples: 10,
  backend: 'wasm',
  softwareVersion: '0.1.0',
  sentAt: 1,
};

function recorder() {
  const settled: string[] = [];
  const settle: RawSettler = {
    ack: async () => void settled.push('ack'),
    requeue: async () => void settled.push('requeue'),
    dead: async () => void settled.push('dead'),
  };
  return { settled, settle };
}

describe('dispatching a site message', () => {
  it('when the broker-validated user is a site and the routing key is its own, then the handler gets the site and the message is acked', async () => {
    const { settled, settle } = recorder();
    const seen: unknown[] = [];
    await dispatchSiteMessage(
      'p',
      encodeSiteMessage(heartbeat),
      { userId: 'p-site-a', routingKey: 'site.a' },
      false,
      settle,
      async (m, d) => {
        seen.push([m.type, d.site, d.redelivered]);
      },
    );
    expect(seen).toEqual([['site.heartbeat', 'a', false]]);
    expect(settled).toEqual(['ack']);
  });

  it.each([
    [{ userId: undefined, routingKey: 'site.a' }, 'no user_id property'],
    [{ userId: 'guest', routingKey: 'site.a' }, 'user_id "guest" is not a site of this deployment'],
    [{ userId: 'p-site-a', routingKey: 'site.b' }, 'routing key "site.b" is not site.a'],
  ])('when the origin is %j, then the message is dead-lettered unseen and the reason reported', async (origin, reason) => {
    const { settled, settle } = recorder();
    const rejected: string[] = [];
    let called = false;
    await dispatchSiteMessage(
      'p',
      encodeSiteMessage(heartbeat),
      origin,
      false,
      settle,
      async () => {
        called = true;
      },
      (why) => void rejected.push(why),
    );
    expect(called).toBe(false);
    expect(settled).toEqual(['dead']);
    expect(rejected).toEqual([reason]);
  });

  it('when the body is not a site message, then it is dead-lettered with the parse reason', async () => {
    const { settled, settle } = recorder();
    const rejected: string[] = [];
    const body = new TextEncoder().encode('{"type":"run.start"}');
    await dispatchSiteMessage(
      'p',
      body,
      { userId: 'p-site-a', routingKey: 'site.a' },
      false,
      settle,
      async () => {},
      (why) => void rejected.push(why),
    );
    expect(settled).toEqual(['dead']);
    expect(rejected[0]).toMatch(/^type: must be one of update.ready, site.heartbeat/);
  });

  it('when the handler throws a PoisonMessageError, then the message is dead-lettered; any other error requeues it', async () => {
    const origin = { userId: 'p-site-a', routingKey: 'site.a' };
    const poison = recorder();
    await dispatchSiteMessage('p', encodeSiteMessage(heartbeat), origin, false, poison.settle, async () => {
      throw new PoisonMessageError('unknown run');
    });
    const transient = recorder();
    await dispatchSiteMessage('p', encodeSiteMessage(heartbeat), origin, true, transient.settle, async () => {
      throw new Error('redis down');
    });
    expect([poison.settled, transient.settled]).toEqual([['dead'], ['requeue']]);
  });
});

describe('connecting a site', () => {
  it("when the URL's user is not the site's user, then it refuses before connecting and names the expected user", async () => {
    await expect(createAmqpSiteTransport({ url: 'amqp://guest:guest@127.0.0.1:1', prefix: 'p', site: 'a' })).rejects.toThrow(
      'RABBITMQ_URL must carry the site\'s user p-site-a (got "guest")',
    );
  });

  it('when TLS options come with an amqp:// URL, then it refuses before connecting', async () => {
    await expect(
      createAmqpSiteTransport({ url: 'amqp://p-site-a:x@127.0.0.1:1', prefix: 'p', site: 'a', tls: { ca: 'x' } }),
    ).rejects.toThrow('TLS options are set, so the URL must start with amqps:// (got amqp://)');
  });
});
