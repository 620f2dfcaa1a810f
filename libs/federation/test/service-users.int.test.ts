import type { RunRecord } from '@fedssd/protocol';
import { createAmqpTransport, createRedisStores, createRunRepository, type RedisStores } from '@fedssd/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareFederatedTopology, provisionServiceUser, type ServiceCredentials } from '../src/index.js';
import {
  asBrokerUser,
  asRedisUser,
  createFederationFixture,
  probeBroker,
  queueDepth,
  RABBITMQ_URL,
  requireOrSkip,
  type FederationFixture,
} from './support.js';

const unavailable = await probeBroker();
requireOrSkip(unavailable, 'service-user tests');

const refusedRedis = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: Error) => error.message,
  );

describe.skipIf(unavailable !== undefined)('the api and aggregator users', () => {
  let f: FederationFixture;
  let api: ServiceCredentials;
  let aggregator: ServiceCredentials;
  const amqpUrl = (c: ServiceCredentials) => {
    const url = new URL(RABBITMQ_URL);
    url.username = c.user;
    url.password = c.rabbitPassword;
    return url.toString();
  };
  const connectRedis = (c: ServiceCredentials): Promise<RedisStores> =>
    createRedisStores({ url: f.redisUrlAs(c.user, c.redisPassword), keyPrefix: f.keyPrefix });

  beforeAll(async () => {
    f = await createFederationFixture([]);
    api = await provisionServiceUser(f.ctx, 'api');
    aggregator = await provisionServiceUser(f.ctx, 'aggregator');
  });
  afterAll(async () => {
    for (const c of [api, aggregator]) if (c !== undefined) await f.ctx.rabbit.deleteUser(c.user);
    await f?.close();
  });

  it('when the api uses the run repository, then it creates, lists, stops and reads runs, metrics and models, and cannot write models, rounds or targets', async () => {
    const admin = await connectRedis(aggregator);
    const stores = await connectRedis(api);
    try {
      const repo = createRunRepository(stores.state, stores.blobs);
      const record = { runId: 'r1', status: 'created', createdAt: 'now', updatedAt: 'now' } as unknown as RunRecord;
      expect(await repo.createRun(record)).toBe(true);
      expect(await repo.createRun(record)).toBe(false);
      expect((await repo.listRuns()).map((r) => r.runId)).toEqual(['r1']);
      expect((await repo.updateRun('r1', (r) => ({ ...r, status: 'stopping' }))).status).toBe('stopping');
      await createRunRepository(admin.state, admin.blobs).putModel('r1', 0, new Uint8Array([7]));
      expect(Array.from((await repo.getModel('r1', 0))!)).toEqual([7]);
      expect(await repo.getRound('r1', 1)).toBeNull();
      expect(await repo.listMetrics('r1')).toEqual([]);
      expect(await refusedRedis(repo.putModel('r1', 1, new Uint8Array([1])))).toMatch(/^NOPERM .*keys/);
      expect(await refusedRedis(repo.putRound({ runId: 'r1', round: 1 } as never))).toMatch(/^NOPERM .*keys/);
      expect(await refusedRedis(repo.getTargets('r1'))).toMatch(/^NOPERM .*keys/);
      expect(await refusedRedis(stores.redis.del(`${f.keyPrefix}fedssd:run:{r1}`))).toMatch(/^NOPERM .*command/);
      // The run's event log: the aggregator appends (a script with XREVRANGE + XADD), the api replays with XRANGE only.
      const event = { type: 'run.failed', version: 1, runId: 'r1', reason: 'test' } as const;
      const id = await createRunRepository(admin.state, admin.blobs).appendEvent(event);
      expect((await repo.readEvents('r1', undefined, 10)).map((e) => [e.id, e.message.type])).toEqual([[id, 'run.failed']]);
      expect(await refusedRedis(repo.appendEvent({ ...event, reason: 'forged' }))).toMatch(/^NOPERM .*keys/);
      expect(await refusedRedis(stores.redis.xadd(`${f.keyPrefix}fedssd:run:{r1}:events`, '*', 'm', '{}'))).toMatch(/^NOPERM .*command/);
    } finally {
      await stores.close();
      await admin.close();
    }
  });

  it('when the aggregator uses Redis, then it works on the deployment keys only and no dangerous command runs', async () => {
    const result = await asRedisUser(f.redisUrlAs(aggregator.user, aggregator.redisPassword), async (r) => ({
      own: await r.set(`${f.keyPrefix}fedssd:run:{r2}:model:v1`, 'x'),
      script: await r.eval("return redis.call('GET', KEYS[1])", 1, `${f.keyPrefix}fedssd:run:{r2}:model:v1`),
      other: await refusedRedis(r.set('otherdeploy:fedssd:run:{r2}:model:v1', 'x')),
      keys: await refusedRedis(r.keys('*')),
      flushall: await refusedRedis(r.flushall()),
      config: await refusedRedis(r.config('GET', 'maxmemory')),
    }));
    expect(result).toEqual({
      ok: true,
      value: {
        own: 'OK',
        script: 'x',
        other: expect.stringMatching(/^NOPERM .*keys/),
        keys: expect.stringMatching(/^NOPERM .*'keys' command/),
        flushall: expect.stringMatching(/^NOPERM .*'flushall' command/),
        config: expect.stringMatching(/^NOPERM .*'config|get' command/),
      },
    });
  });

  it('when the api connects to RabbitMQ without declaring topology, then it sends commands and gets events, and cannot read jobs', async () => {
    const agg = await createAmqpTransport({ url: amqpUrl(aggregator), prefix: f.prefix, startTimeoutMs: 5_000 });
    await declareFederatedTopology(await agg.connection.publisherChannel(), f.prefix);
    const apiBus = await createAmqpTransport({ url: amqpUrl(api), prefix: f.prefix, declareTopology: false, startTimeoutMs: 5_000 });
    try {
      const events: string[] = [];
      const sub = await apiBus.bus.subscribe('events', async (m) => void events.push(m.type));
      await apiBus.bus.publish({ type: 'run.stop', version: 1, runId: 'r1' });
      expect(await queueDepth(f.guest, `${f.prefix}.fedssd.control`)).toBe(1);
      await agg.bus.publish({ type: 'run.failed', version: 1, runId: 'r1', reason: 'test' });
      const deadline = Date.now() + 5_000;
      while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(events).toEqual(['run.failed']);
      await sub.cancel();
      expect(await asBrokerUser(amqpUrl(api), (ch) => ch.get(`${f.prefix}.fedssd.jobs`))).toMatch(/^ACCESS_REFUSED - access to queue/);
      expect(await asBrokerUser(amqpUrl(aggregator), (ch) => ch.assertQueue('otherdeploy.fedssd.jobs'))).toMatch(/^ACCESS_REFUSED/);
      // A forged dead letter (a train.job with the broker's death headers) on the dead-letter fanout
      // would reach the aggregators' job-failures queue and fail a client's job: the api may not
      // write there. Its own events queue carries no dead-letter exchange, which is why it needs none.
      const jobFailures = `${f.prefix}.fedssd.job-failures`;
      const forged = Buffer.from(JSON.stringify({ type: 'train.job', version: 1, runId: 'r1', round: 1, clientId: 0 }));
      const headers = { 'x-first-death-reason': 'delivery_limit', 'x-first-death-queue': `${f.prefix}.fedssd.jobs` };
      expect(await asBrokerUser(amqpUrl(api), async (ch) => ch.publish(`${f.prefix}.fedssd.dlx`, '', forged, { headers }))).toMatch(
        /^ACCESS_REFUSED - access to exchange '.*fedssd\.dlx'/,
      );
      expect(await queueDepth(f.guest, jobFailures)).toBe(0);
    } finally {
      await apiBus.close();
      await agg.close();
    }
  });
});
