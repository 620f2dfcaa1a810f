import { Redis } from 'ioredis';
import { updateKey } from '@fedssd/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { createRun, expectExactFinish, midTraining, restart, roundWhere } from './helpers/exact.js';
import { referenceModel, TINY_RUN } from './helpers/reference.js';
import { closeBrokerConnectionsOf, killRedisClientsOf } from './helpers/sockets.js';
import { createStack, REDIS_URL, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Process faults against the real broker and Redis: api, aggregator and two trainers run as
 * processes on one stack; each test creates a fresh run of TINY_RUN, breaks something at a
 * chosen point, and asserts that the run finishes with the exact bytes `simulateRun` gives.
 */
let stack: Stack | string;
let reference: Buffer;
let admin: Redis;
const TRAINERS = ['t1', 't2'];

beforeAll(async () => {
  stack = await createStack('proc');
  if (typeof stack === 'string') return;
  const s = stack;
  admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  [reference] = await Promise.all([referenceModel(TINY_RUN), startServices(s, TRAINERS), admin.connect()]);
});

afterAll(async () => {
  admin?.disconnect();
  if (typeof stack !== 'string') await stack?.cleanup();
});

function live(skip: (note: string) => void): Stack {
  if (typeof stack === 'string') {
    skipOrFail(stack, skip);
    throw new Error('unreachable');
  }
  return stack;
}

describe('process faults on real RabbitMQ + Redis (final model equals simulateRun bit for bit)', () => {
  it('when a trainer is SIGKILLed mid-training, its unacked job is redelivered and the run is unchanged', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    await midTraining(s, runId);
    await s.services.get('t1')!.kill();
    await restart(s, 't1', 'trainer');
    await expectExactFinish(s, runId, reference);
  });

  it('when both trainers are SIGKILLed the moment the first update blob lands (mid-upload), the rerun writes nothing twice', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    const keys = [0, 1, 2].map((c) => `${s.prefix}:${updateKey(runId, 1, c)}`);
    await waitFor('first update blob', async () => ((await admin.exists(...keys)) > 0 ? true : undefined), 90_000, 5);
    await Promise.all(TRAINERS.map((t) => s.services.get(t)!.kill()));
    const r = await s.round(runId, 1);
    expect(r?.accepted.length, 'killed before all three were accepted').toBeLessThan(3);
    await Promise.all(TRAINERS.map((t) => restart(s, t, 'trainer')));
    await expectExactFinish(s, runId, reference);
  });

  it('when the aggregator is SIGKILLed mid-collection and restarted, it finishes the round without losing or double-counting', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    await roundWhere(s, runId, 1, 'partly collected', (r) => r.status === 'collecting' && r.accepted.length >= 1);
    await s.services.get('aggregator')!.kill();
    expect((await s.round(runId, 1))?.status).toBe('collecting');
    await restart(s, 'aggregator', 'aggregator');
    await expectExactFinish(s, runId, reference);
  });

  it('when the aggregator is SIGKILLed mid-aggregation of the last round and restarted, it redoes the step to the same bytes', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    // The round is 'aggregating' while it folds and 'evaluating' while the new version is evaluated.
    const inFlight = (status: string | undefined) => status === 'aggregating' || status === 'evaluating';
    await roundWhere(s, runId, 2, 'aggregating or evaluating', (r) => inFlight(r.status), 5);
    await s.services.get('aggregator')!.kill();
    expect(inFlight((await s.round(runId, 2))?.status), 'the kill landed inside aggregate + evaluate').toBe(true);
    await restart(s, 'aggregator', 'aggregator');
    await expectExactFinish(s, runId, reference);
  });

  it('when the broker closes every service connection mid-round, the services reconnect on their own', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    await midTraining(s, runId);
    let closed = 0;
    for (const p of s.services.values()) closed += await closeBrokerConnectionsOf(p.child.pid!);
    expect(closed).toBeGreaterThanOrEqual(4);
    await expectExactFinish(s, runId, reference);
  });

  it('when Redis kills every service client connection mid-round, the services reconnect on their own', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    await roundWhere(s, runId, 1, 'partly collected', (r) => r.status === 'collecting' && r.accepted.length >= 1);
    let killed = 0;
    for (const p of s.services.values()) killed += await killRedisClientsOf(admin, p.child.pid!);
    expect(killed).toBeGreaterThanOrEqual(4);
    await expectExactFinish(s, runId, reference);
  });

  it('when every service gets SIGTERM mid-round, all exit 0, every selected job is accepted or back on the queue, and a restart finishes exactly', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    await midTraining(s, runId);
    const stopped = await Promise.all([...s.services.values()].map(async (p) => [p.name, await p.stop(30_000)] as const));
    expect(Object.fromEntries(stopped)).toEqual({ aggregator: 0, t1: 0, t2: 0, api: 0 });
    const r = await s.round(runId, 1);
    // No job lost: each selected client is accepted, or announced on the updates queue, or its job is
    // waiting again. Quorum queues publish their counts to rabbitmqctl every few seconds: poll.
    const counts = await waitFor(
      'returned jobs counted by the broker',
      async () => {
        const c = await s.queueCounts();
        const settled = (r?.accepted.length ?? 0) + (c.updates?.ready ?? 0) + (c.jobs?.ready ?? 0);
        return c.jobs?.unacked === 0 && settled >= 3 ? c : undefined;
      },
      30_000,
      500,
    );
    expect(counts.jobs?.ready).toBeGreaterThanOrEqual(2);
    await restart(s, 'aggregator', 'aggregator');
    await Promise.all(TRAINERS.map((t) => restart(s, t, 'trainer')));
    s.start('api', 'api');
    await expectExactFinish(s, runId, reference);
  });
});
