import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { createRun, expectExactFinish, restart, roundWhere } from './helpers/exact.js';
import { referenceModel, TINY_RUN } from './helpers/reference.js';
import { createStack, logLines, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Two aggregator replicas (default lease 5 s, scan 1 s) with the api and two trainers, as
 * processes on the real broker and Redis. Each run is owned by the replica holding its lease in
 * Redis; the test reads the lease to know which one to break. The final evaluation uses 1,500
 * test images so the last round spends seconds in `evaluating` (the model bytes do not depend
 * on evaluation).
 */
let stack: Stack | string;
let reference: Buffer;
const AGGREGATORS = ['agg-a', 'agg-b'] as const;
const EXTRA = { AGGREGATOR_EVAL_TEST_LIMIT: '1500' };
/** The brief: another replica takes the run over within 10 s of the owner's death. */
const TAKEOVER_LIMIT_MS = 10_000;

const aggEnv = (name: string) => ({ ...EXTRA, AGGREGATOR_REPLICA_ID: name });

beforeAll(async () => {
  stack = await createStack('ha');
  if (typeof stack === 'string') return;
  const s = stack;
  const started = (async () => {
    await startServices(s, ['t1', 't2'], EXTRA);
    // startServices names its aggregator 'aggregator'; replace it by two named replicas.
    await s.services.get('aggregator')!.stop();
    s.services.delete('aggregator');
    await Promise.all(AGGREGATORS.map((name) => restart(s, name, 'aggregator', aggEnv(name))));
  })();
  [reference] = await Promise.all([referenceModel(TINY_RUN), started]);
});

afterAll(async () => {
  if (typeof stack === 'string' || stack === undefined) return;
  for (const p of stack.services.values()) p.child.kill('SIGCONT');
  await stack.cleanup();
});

function live(skip: (note: string) => void): Stack {
  if (typeof stack === 'string') {
    skipOrFail(stack, skip);
    throw new Error('unreachable');
  }
  return stack;
}

const ownerOf = async (s: Stack, runId: string) => (await s.redis.ownership.holder(runId))?.owner;

/** Waits until `name` holds the run's lease; returns the milliseconds since `since`. */
async function heldBy(s: Stack, runId: string, name: string, since: number): Promise<number> {
  await waitFor(`${name} to own ${runId}`, async () => ((await ownerOf(s, runId)) === name ? true : undefined), 30_000, 50);
  return Date.now() - since;
}

/** Kills the run's owner (SIGKILL: no release) and returns [the survivor, takeover ms]; restarts the dead one afterwards. */
async function killOwner(s: Stack, runId: string): Promise<[string, number]> {
  const owner = (await ownerOf(s, runId))!;
  const survivor = AGGREGATORS.find((a) => a !== owner)!;
  const killedAt = Date.now();
  await s.services.get(owner)!.kill();
  const took = await heldBy(s, runId, survivor, killedAt);
  await restart(s, owner, 'aggregator', aggEnv(owner));
  return [survivor, took];
}

describe('two aggregator replicas on real RabbitMQ + Redis (final model equals simulateRun bit for bit)', () => {
  it('when the owning replica is SIGKILLed mid-collection, then the other takes the run over within 10 s and finishes it exactly', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    await roundWhere(s, runId, 1, 'partly collected', (r) => r.status === 'collecting' && r.accepted.length >= 1);
    const [survivor, took] = await killOwner(s, runId);
    console.log(`[ha] mid-collection: ${survivor} took ${runId} over ${took} ms after the kill`);
    expect(took).toBeLessThan(TAKEOVER_LIMIT_MS);
    await expectExactFinish(s, runId, reference);
  });

  it('when the owning replica is SIGKILLed mid-aggregation of the last round, then the other redoes it within 10 s to the same bytes', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    const inFlight = (status: string | undefined) => status === 'aggregating' || status === 'evaluating';
    await roundWhere(s, runId, 2, 'aggregating or evaluating', (r) => inFlight(r.status), 5);
    const owner = (await ownerOf(s, runId))!;
    const killedAt = Date.now();
    await s.services.get(owner)!.kill();
    expect(inFlight((await s.round(runId, 2))?.status), 'the kill landed inside aggregate + evaluate').toBe(true);
    const survivor = AGGREGATORS.find((a) => a !== owner)!;
    const took = await heldBy(s, runId, survivor, killedAt);
    console.log(`[ha] mid-aggregation: ${survivor} took ${runId} over ${took} ms after the kill`);
    expect(took).toBeLessThan(TAKEOVER_LIMIT_MS);
    await restart(s, owner, 'aggregator', aggEnv(owner));
    await expectExactFinish(s, runId, reference);
  });

  it('when the owner is paused (SIGSTOP) past its lease mid-evaluation and resumed after a takeover, then its write is refused by the fence and the model is unchanged', async (ctx) => {
    const s = live(ctx.skip);
    const runId = await createRun(s);
    await roundWhere(s, runId, 2, 'evaluating', (r) => r.status === 'evaluating', 5);
    const a = (await ownerOf(s, runId))!;
    const b = AGGREGATORS.find((x) => x !== a)!;
    const pa = s.services.get(a)!;
    const pb = s.services.get(b)!;
    try {
      const token = (await s.redis.ownership.holder(runId))!.token;
      pa.child.kill('SIGSTOP');
      const took = await heldBy(s, runId, b, Date.now());
      console.log(`[ha] paused owner: ${b} took ${runId} over ${took} ms after SIGSTOP`);
      expect((await s.redis.ownership.holder(runId))!.token).toBe(token + 1);
      // Pause the new owner too, so the former one's write provably comes after the takeover.
      pb.child.kill('SIGSTOP');
      pa.child.kill('SIGCONT');
      const refused = await waitFor(
        `${a} to report its write refused`,
        async () => logLines(pa.output()).find((l) => l.msg === 'write refused: stale fencing token' && l.runId === runId),
        60_000,
        100,
      );
      expect(refused.fencingToken).toBe(token);
      // Nothing of the former owner landed: round 2 is still being evaluated, one metrics row so far.
      expect((await s.round(runId, 2))?.status).toBe('evaluating');
      expect((await s.runs.listMetrics(runId)).map((r) => r.round)).toEqual([1]);
      const metrics = await (await fetch(`${await s.opsUrl(a)}/metrics`)).text();
      expect(metrics).toMatch(/^fedssd_run_ownership_total\{event="refused"[^}]*\} [1-9]/m);
    } finally {
      pa.child.kill('SIGCONT');
      pb.child.kill('SIGCONT');
    }
    await expectExactFinish(s, runId, reference);
  });
});
