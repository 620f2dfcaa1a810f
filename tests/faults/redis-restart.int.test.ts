import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import { referenceModel, TINY_RUN } from './helpers/reference.js';
import { createStack, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Redis restarted during a round: the services run against a redis-server of this test's own
 * (persistence on), which is shut down and started again while round 1 is collecting. The
 * services must reconnect by themselves and the run must end with the simulateRun bytes.
 */
let redis: PrivateRedis | undefined;
let stack: Stack | string;
let reference: Buffer;

beforeAll(async () => {
  redis = await startPrivateRedis();
  stack = await createStack('redis', { redisUrl: redis.url });
  if (typeof stack === 'string') return;
  const s = stack;
  [reference] = await Promise.all([referenceModel(TINY_RUN), startServices(s, ['t1', 't2'])]);
});
afterAll(async () => {
  if (typeof stack !== 'string') await stack?.cleanup();
  await redis?.close();
});

describe('Redis restarted mid-round', () => {
  it('when Redis goes down and comes back while round 1 collects, then the services reconnect and the final model equals simulateRun bit for bit', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const created = await s.http<{ runId: string }>('POST', '/v1/runs', TINY_RUN);
    expect(created.status).toBe(201);
    const { runId } = created.json;
    try {
      await waitFor(
        'round 1 partly collected',
        async () => {
          const r = await s.round(runId, 1);
          return r?.status === 'collecting' && r.accepted.length >= 1 ? true : undefined;
        },
        90_000,
        20,
      );
      await redis!.restart(1_000);
      const run = await s.finished(runId, 150_000);
      expect(run).toMatchObject({ status: 'finished', globalVersion: 2 });
      for (const round of [1, 2]) expect((await s.round(runId, round))?.accepted.map((a) => a.clientId).sort()).toEqual([0, 1, 2]);
      const model = await s.runs.getModel(runId, 2);
      expect(Buffer.from(model!).equals(reference)).toBe(true);
      const counts = await waitFor(
        'queues drained',
        async () => {
          const c = await s.queueCounts();
          return c.jobs?.ready === 0 && c.jobs.unacked === 0 && c.updates?.ready === 0 && c.updates.unacked === 0 ? c : undefined;
        },
        30_000,
        500,
      );
      expect(counts.dead?.ready ?? 0).toBe(0);
      // Everyone is still up after the outage.
      for (const p of s.services.values()) expect(p.child.exitCode, p.name).toBeNull();
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${s.dump()}`, { cause: error });
    }
  });
});
