import { brokerNames, encodeSiteMessage, federatedNames, siteRoutingKey, type SiteMessageInput } from '@fedssd/protocol';
import { createAmqpSiteTransport, subscribeSiteMessages } from '@fedssd/transport';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { declareFederatedTopology, siteJobQueueArguments } from '../src/index.js';
import {
  asBrokerUser,
  createFederationFixture,
  exchangeExists,
  probeBroker,
  queueDepth,
  RABBITMQ_URL,
  requireOrSkip,
  type FederationFixture,
} from './support.js';
import { describeThreats, type Attacker, type Threat } from './threats.js';

const unavailable = await probeBroker();
requireOrSkip(unavailable, 'hostile-site tests on RabbitMQ');

const heartbeat: SiteMessageInput = {
  type: 'site.heartbeat',
  version: 1,
  samples: 10,
  backend: 'wasm',
  softwareVersion: '0.1.0',
  sentAt: 1,
};
const body = () => Buffer.from(encodeSiteMessage(heartbeat));

describe.skipIf(unavailable !== undefined)('a hostile site on RabbitMQ (user of site A)', () => {
  let f: FederationFixture;
  let siteA: Attacker;
  let shared: Attacker;
  let seeded: unknown;
  let stolen: unknown;
  const fed = () => federatedNames(f.prefix);
  const sim = () => brokerNames(f.prefix);
  const evilQueue = () => `${f.prefix}.fedssd.evil`;

  /** Depth of every queue of the deployment and existence of every exchange. */
  async function snapshot(): Promise<unknown> {
    const queues = [
      fed().siteJobQueue('a'),
      fed().siteJobQueue('b'),
      fed().siteUpdatesQueue,
      sim().control,
      sim().jobs,
      sim().updates,
      sim().dead,
      evilQueue(),
    ];
    const exchanges = [fed().siteUpdatesExchange, fed().siteJobsExchange, sim().events, sim().dlx];
    const depths = await Promise.all(queues.map(async (q) => [q, await queueDepth(f.guest, q)]));
    const present = await Promise.all(exchanges.map(async (e) => [e, await exchangeExists(f.guest, e)]));
    return { depths, present };
  }

  beforeAll(async () => {
    f = await createFederationFixture(['a', 'b']);
    siteA = { kind: 'site-a', amqpUrl: f.sites.a!.amqpUrl, redisUrl: 'unused' };
    shared = { kind: 'shared', amqpUrl: RABBITMQ_URL, redisUrl: 'unused' };
  });
  afterAll(async () => {
    if (f === undefined) return;
    const channel = await f.guest.createChannel();
    await channel.deleteQueue(evilQueue());
    await f.close();
  });
  beforeEach(async () => {
    // Undo what a shared-credential attack did, then seed: one job waiting in B's queue.
    const channel = await f.guest.createConfirmChannel();
    await channel.deleteQueue(evilQueue());
    await declareFederatedTopology(channel, f.prefix);
    await f.ctx.rabbit.putQueue(fed().siteJobQueue('b'), siteJobQueueArguments(f.prefix));
    await f.ctx.rabbit.bindQueue(fed().siteJobsExchange, fed().siteJobQueue('b'), siteRoutingKey('b'));
    for (const q of [
      fed().siteJobQueue('a'),
      fed().siteJobQueue('b'),
      fed().siteUpdatesQueue,
      sim().control,
      sim().jobs,
      sim().updates,
      sim().dead,
    ])
      await channel.purgeQueue(q);
    channel.sendToQueue(fed().siteJobQueue('b'), Buffer.from('{"job":"for b"}'), { persistent: true });
    await channel.waitForConfirms();
    await channel.close();
    stolen = undefined;
    seeded = await snapshot();
  });

  const depthOf = async (queue: string) => queueDepth(f.guest, queue);
  /** Today's trainers publish without user_id; only a site can be made to claim one. */
  const userIdFor = (who: Attacker, siteUser: string) => (who.kind === 'site-a' ? { userId: siteUser } : {});
  const refused = (code: 'ACCESS_REFUSED' | 'PRECONDITION_FAILED', detail: string) => new RegExp(`^${code} - .*${detail}`);

  it('when site A uses its bundle through createAmqpSiteTransport, then it consumes its own jobs and its heartbeat reaches the aggregator attributed to A', async () => {
    const site = await createAmqpSiteTransport({ url: siteA.amqpUrl, prefix: f.prefix, site: 'a', startTimeoutMs: 5_000 });
    const seen: string[] = [];
    const sub = await subscribeSiteMessages(f.aggregator.connection, async (m, d) => void seen.push(`${d.site}:${m.type}`));
    try {
      const channel = await f.guest.createConfirmChannel();
      channel.sendToQueue(fed().siteJobQueue('a'), Buffer.from('not a job'), { persistent: true });
      await channel.waitForConfirms();
      await channel.close();
      await site.publish(heartbeat);
      const deadline = Date.now() + 5_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual(['a:site.heartbeat']);
      // An invalid job on A's own queue is dead-lettered by A's consumer: A can read its queue.
      const jobs = await site.jobs.consumeJobs(async (_job, ctx) => ctx.ack());
      const until = Date.now() + 5_000;
      while ((await depthOf(fed().siteJobQueue('a'))) !== 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(await depthOf(fed().siteJobQueue('a'))).toBe(0);
      await jobs.cancel();
    } finally {
      await sub.cancel();
      await site.close();
    }
  });

  const threats: Threat[] = [
    {
      name: "consume site B's job queue",
      attack: (who) =>
        asBrokerUser(who.amqpUrl, async (ch) => {
          stolen = await ch.get(fed().siteJobQueue('b'), { noAck: true });
        }),
      refusal: refused('ACCESS_REFUSED', "access to queue '.*jobs.site.b'"),
      tookEffect: async () => stolen !== false && stolen !== undefined,
    },
    {
      name: "purge site B's job queue",
      attack: (who) => asBrokerUser(who.amqpUrl, (ch) => ch.purgeQueue(fed().siteJobQueue('b'))),
      refusal: refused('ACCESS_REFUSED', "access to queue '.*jobs.site.b'"),
      tookEffect: async () => (await depthOf(fed().siteJobQueue('b'))) === 0,
    },
    {
      name: 'publish an update as site B (user_id of B, routing key site.b)',
      attack: (who) =>
        asBrokerUser(who.amqpUrl, async (ch) => {
          ch.publish(fed().siteUpdatesExchange, 'site.b', body(), { persistent: true, ...userIdFor(who, f.sites.b!.user) });
        }),
      // Topic authorisation is checked before user_id: the routing key alone stops it.
      refusal: refused('ACCESS_REFUSED', "access to topic 'site.b' in exchange"),
      tookEffect: async () => (await depthOf(fed().siteUpdatesQueue)) === 1,
    },
    {
      name: "publish on its own routing key with site B's user_id",
      attack: (who) =>
        asBrokerUser(who.amqpUrl, async (ch) => {
          ch.publish(fed().siteUpdatesExchange, 'site.a', body(), { persistent: true, ...userIdFor(who, f.sites.b!.user) });
        }),
      refusal: refused('PRECONDITION_FAILED', "user_id property set to '.*site-b' but authenticated user was '.*site-a'"),
      tookEffect: async () => (await depthOf(fed().siteUpdatesQueue)) === 1,
    },
    {
      name: "publish with site B's routing key under its own user_id",
      attack: (who) =>
        asBrokerUser(who.amqpUrl, async (ch) => {
          ch.publish(fed().siteUpdatesExchange, 'site.b', body(), { persistent: true, ...userIdFor(who, f.sites.a!.user) });
        }),
      refusal: refused('ACCESS_REFUSED', "access to topic 'site.b' in exchange"),
      tookEffect: async () => (await depthOf(fed().siteUpdatesQueue)) === 1,
    },
    {
      name: 'publish a command to the control queue through the default exchange',
      attack: (who) =>
        asBrokerUser(who.amqpUrl, async (ch) => {
          ch.sendToQueue(sim().control, Buffer.from('{"type":"run.start"}'), { persistent: true });
        }),
      refusal: refused('ACCESS_REFUSED', "access to exchange 'amq.default'"),
      tookEffect: async () => (await depthOf(sim().control)) === 1,
    },
    {
      name: 'publish an event on the events exchange',
      attack: async (who) => {
        // A queue bound to the fanout shows whether the event got through.
        const spy = await f.guest.createChannel();
        const { queue } = await spy.assertQueue('', { exclusive: true });
        await spy.bindQueue(queue, sim().events, '');
        const outcome = await asBrokerUser(who.amqpUrl, async (ch) => void ch.publish(sim().events, '', body()));
        stolen = (await spy.checkQueue(queue)).messageCount;
        await spy.close();
        return outcome;
      },
      refusal: refused('ACCESS_REFUSED', `access to exchange '${'.*'}fedssd.events'`),
      tookEffect: async () => stolen === 1,
    },
    {
      name: 'declare a queue',
      attack: (who) => asBrokerUser(who.amqpUrl, (ch) => ch.assertQueue(evilQueue(), { durable: true })),
      refusal: refused('ACCESS_REFUSED', "access to queue '.*fedssd.evil'"),
      tookEffect: async () => (await depthOf(evilQueue())) !== 'missing',
    },
    {
      name: "delete site B's job queue",
      attack: (who) => asBrokerUser(who.amqpUrl, (ch) => ch.deleteQueue(fed().siteJobQueue('b'))),
      refusal: refused('ACCESS_REFUSED', "access to queue '.*jobs.site.b'"),
      tookEffect: async () => (await depthOf(fed().siteJobQueue('b'))) === 'missing',
    },
    {
      name: 'delete the site-updates exchange',
      attack: (who) => asBrokerUser(who.amqpUrl, (ch) => ch.deleteExchange(fed().siteUpdatesExchange)),
      refusal: refused('ACCESS_REFUSED', "access to exchange '.*site-updates'"),
      tookEffect: async () => !(await exchangeExists(f.guest, fed().siteUpdatesExchange)),
    },
    {
      name: "bind the aggregator's queue to amq.topic (to inject through another exchange)",
      attack: async (who) => {
        const outcome = await asBrokerUser(who.amqpUrl, (ch) => ch.bindQueue(fed().siteUpdatesQueue, 'amq.topic', 'evil'));
        if (outcome === 'ok') {
          // Show the binding works by routing through it, then remove it.
          const ch = await f.guest.createConfirmChannel();
          ch.publish('amq.topic', 'evil', body());
          await ch.waitForConfirms();
          await ch.unbindQueue(fed().siteUpdatesQueue, 'amq.topic', 'evil');
          await ch.close();
        }
        return outcome;
      },
      refusal: refused('ACCESS_REFUSED', "access to exchange 'amq.topic'"),
      tookEffect: async () => (await depthOf(fed().siteUpdatesQueue)) === 1,
    },
  ];

  describeThreats(threats, () => ({ siteA, shared, snapshot, seeded: () => seeded }));

  it("when site A publishes without user_id, then the broker accepts it but the aggregator's consumer dead-letters it unseen", async () => {
    const seen: string[] = [];
    const rejected: string[] = [];
    const outcome = await asBrokerUser(
      siteA.amqpUrl,
      async (ch) => void ch.publish(fed().siteUpdatesExchange, 'site.a', body(), { persistent: true }),
    );
    // RabbitMQ validates user_id only when present: this is the one row the broker does not stop.
    expect(outcome).toBe('ok');
    expect(await depthOf(fed().siteUpdatesQueue)).toBe(1);
    const sub = await subscribeSiteMessages(
      f.aggregator.connection,
      async (m, d) => void seen.push(`${d.site}:${m.type}`),
      (reason) => void rejected.push(reason),
    );
    try {
      const deadline = Date.now() + 5_000;
      while ((await depthOf(sim().dead)) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(rejected).toEqual(['no user_id property']);
      expect(seen).toEqual([]);
      expect(await depthOf(fed().siteUpdatesQueue)).toBe(0);
      expect(await depthOf(sim().dead)).toBe(1);
    } finally {
      await sub.cancel();
    }
  });

  it("when today's shared set-up gets an update.ready for client 1 from anyone, then the aggregator's consumer takes it as client 1's (workerId is self-declared)", async () => {
    const seen: Array<[string, number]> = [];
    const sub = await f.aggregator.bus.subscribe('updates', async (m) => {
      if (m.type === 'update.ready') seen.push([m.workerId, m.clientId]);
    });
    try {
      await f.aggregator.bus.publish({
        type: 'update.ready',
        version: 1,
        runId: 'r',
        round: 1,
        clientId: 1,
        globalVersion: 0,
        updateKey: 'fedssd:run:{r}:round:1:update:1',
        samples: 1_000_000,
        trainSeconds: 1,
        loss: { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 },
        workerId: 'anyone',
      });
      const deadline = Date.now() + 5_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual([['anyone', 1]]);
    } finally {
      await sub.cancel();
    }
  });

  it("when site A probes site B's queue with a passive declare, then RabbitMQ answers (a known residual: queue names and depths are visible)", async () => {
    const outcome = await asBrokerUser(siteA.amqpUrl, async (ch) => {
      stolen = await ch.checkQueue(fed().siteJobQueue('b'));
    });
    expect(outcome).toBe('ok');
    expect(stolen).toMatchObject({ messageCount: 1 });
  });
});
