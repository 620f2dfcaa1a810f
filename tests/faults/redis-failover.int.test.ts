import { brokerNames, runKey, type RunRecord } from '@fedssd/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { createRun, expectExactFinish, roundWhere } from './helpers/exact.js';
import { referenceModel, TINY_RUN } from './helpers/reference.js';
import { SENTINEL_NAME, startSentinelRedis, type SentinelRedis } from './helpers/sentinel-redis.js';
import { createStack, logLines, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Redis failover: the services find Redis through three Sentinels of this test's own (a primary
 * and a replica on free ports, never the shared 6379). The primary is SIGKILLed while round 1
 * collects; the Sentinels promote the replica and every service follows by itself. Then a
 * rollback is forced by hand (the run record replaced by an older copy, as a failover to a
 * replica that missed writes would leave it): the aggregator must refuse it, not act on it.
 */
let redis: SentinelRedis | undefined;
let stack: Stack | string;
let reference: Buffer;

beforeAll(async () => {
  try {
    redis = await startSentinelRedis();
  } catch (error) {
    stack = `cannot start redis-server primary, replica and Sentinels: ${(error as Error).message}`;
    return;
  }
  stack = await createStack('failover', {
    redisUrl: `redis://127.0.0.1:${redis.primaryPort}`,
    sentinel: { sentinels: redis.sentinels, name: SENTINEL_NAME },
  });
  if (typeof stack === 'string') return;
  [reference] = await Promise.all([referenceModel(TINY_RUN), startServices(stack, ['t1', 't2'])]);
});
afterAll(async () => {
  if (typeof stack !== 'string') await stack?.cleanup();
  await redis?.close();
});

describe('Redis failover (Sentinel)', () => {
  it('when the primary is killed while round 1 collects, then the Sentinels promote the replica, the services follow and the model equals simulateRun', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const runId = await createRun(s);
    await roundWhere(s, runId, 1, 'partly collected', (r) => r.status === 'collecting' && r.accepted.length >= 1);
    const killedAt = Date.now();
    await redis!.killPrimary();
    // The fault landed: the primary process is gone and the Sentinels now name the replica.
    const promoted = await waitFor(
      'the replica promoted',
      async () => ((await redis!.currentPrimary()) === redis!.replicaPort ? Date.now() : undefined),
      30_000,
      100,
    );
    console.info(`failover: replica promoted ${promoted - killedAt} ms after the kill`);
    await expectExactFinish(s, runId, reference);
    for (const name of ['aggregator', 'api', 't1', 't2']) expect(s.services.get(name)?.child.exitCode, name).toBeNull();
    expect(s.services.get('aggregator')!.output()).not.toContain('refusing a rolled-back Redis state');
  });

  it('when the run record is replaced by an older copy (writes lost), then the aggregator refuses it loudly and writes nothing over it; restored, the run finishes', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    // Without auto-advance the run waits after each round: a quiet point to roll back at.
    const runId = await createRun(s, { autoAdvance: false });
    const key = `${s.prefix}:${runKey(runId)}`;
    const started = await s.http('POST', `/v1/runs/${runId}/rounds`);
    expect(started.status).toBe(202);
    await roundWhere(s, runId, 1, 'collecting', (r) => r.status === 'collecting');
    const older = (await s.redis.redis.get(key))!;
    await roundWhere(s, runId, 1, 'closed', (r) => r.status === 'closed');
    const newest = await waitFor(
      'run record after round 1',
      async () => {
        const text = await s.redis.redis.get(key);
        const run = JSON.parse(text!) as RunRecord;
        return run.roundStatus === 'closed' && run.globalVersion === 1 ? text! : undefined;
      },
      30_000,
      50,
    );
    expect((JSON.parse(older) as RunRecord).seq).toBeLessThan((JSON.parse(newest) as RunRecord).seq!);
    const logBefore = s.services.get('aggregator')!.output().length;
    await s.redis.redis.set(key, older);
    // Wake the aggregator for this run: a round.start command straight on the bus (the api would refuse on the old record).
    await s.amqp.bus.publish({ type: 'round.start', version: 1, runId, round: 2 });
    const refusal = await waitFor(
      'the aggregator to refuse the rolled-back state',
      async () =>
        logLines(s.services.get('aggregator')!.output().slice(logBefore)).find((l) => l.msg === 'refusing a rolled-back Redis state'),
      30_000,
      100,
    );
    expect(JSON.stringify(refusal.err)).toMatch(/run record seq \d+ < \d+ already seen/);
    // Nothing written over the older state while it refuses (it re-reads every 2 s).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await s.redis.redis.get(key)).toBe(older);
    expect(await s.round(runId, 2)).toBeNull();
    // The refused command is parked in the run's inbox (not requeued until the broker's delivery
    // limit dead-letters it, not held unacked where it would block every run's control messages).
    const parked = logLines(s.services.get('aggregator')!.output().slice(logBefore)).find(
      (l) => l.msg === 'input parked in the run inbox until its state is restored',
    );
    expect(parked, 'the round.start parked').toMatchObject({ runId });
    const ch = await s.amqp.connection.publisherChannel();
    expect((await ch.checkQueue(brokerNames(s.prefix).dead)).messageCount).toBe(0);
    // An operator puts the newest state back: the held round.start is applied and the run goes on.
    await s.redis.redis.set(key, newest);
    await roundWhere(s, runId, 2, 'started from the held command', (r) => r.status === 'collecting' || r.status === 'closed');
    await s.finished(runId, 150_000);
    expect((await ch.checkQueue(brokerNames(s.prefix).dead)).messageCount).toBe(0);
    await expectExactFinish(s, runId, reference);
  });
});
