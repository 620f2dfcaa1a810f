import { addWeights, createExactFedAvg } from '@fedssd/fedavg';
import { decodeWeights, encodeWeights } from '@fedssd/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { TINY_RUN } from './helpers/reference.js';
import { createStack, logLines, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * A trainer slower than the round: SIGSTOP freezes it while it holds a round-1 job; the other
 * trainer reports two clients, the round closes on minClients + grace, and the frozen trainer,
 * resumed, delivers an update for a round that is over. It must be rejected (and counted), the
 * next round must run, and round 1's model must be exactly v0 + FedAvg of the two updates that
 * were on time (the late client's update is missing).
 */
let stack: Stack | string;
beforeAll(async () => {
  stack = await createStack('slow');
  if (typeof stack === 'string') return;
  const s = stack;
  await startServices(s, ['t1', 't2']);
});
afterAll(async () => {
  if (typeof stack !== 'string') {
    stack?.services.get('t1')?.child.kill('SIGCONT');
    await stack?.cleanup();
  }
});

describe('a trainer slower than the round deadline', () => {
  it('when one trainer stalls, then the round closes on minClients + grace, its late update is rejected and counted, and the run goes on without it', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const created = await s.http<{ runId: string }>('POST', '/v1/runs', { ...TINY_RUN, minClients: 2, graceMs: 1_000 });
    expect(created.status).toBe(201);
    const { runId } = created.json;
    try {
      // t1 is past its stale check and training (it logged 'job started'), and nothing is accepted yet.
      const started = (name: string) =>
        logLines(s.services.get(name)!.output()).some((l) => l.msg === 'job started' && l.runId === runId && l.round === 1);
      await waitFor(
        'both trainers training a round-1 job',
        async () => {
          const r = await s.round(runId, 1);
          return r?.status === 'collecting' && r.accepted.length === 0 && started('t1') && started('t2') ? true : undefined;
        },
        90_000,
        20,
      );
      const t1 = s.services.get('t1')!;
      t1.child.kill('SIGSTOP');
      const closed = await waitFor(
        'round 1 closed without t1',
        async () => {
          const r = await s.round(runId, 1);
          return r?.status === 'closed' ? r : undefined;
        },
        120_000,
        200,
      );
      expect(closed.outcome).toBe('min-clients');
      expect(closed.accepted).toHaveLength(2);
      const late = [0, 1, 2].find((c) => !closed.accepted.some((a) => a.clientId === c))!;
      t1.child.kill('SIGCONT');

      const run = await s.finished(runId, 150_000);
      expect(run.globalVersion).toBe(2);
      const ops = await s.opsUrl('aggregator');
      const rejected = await waitFor(
        'late update counted',
        async () => {
          const text = await (await fetch(`${ops}/metrics`)).text();
          const m = /^fedssd_updates_rejected_total\{[^}]*reason="(stale|closed-round)"[^}]*\} (\d+)/m.exec(text);
          return m !== null && Number(m[2]) >= 1 ? m[1] : undefined;
        },
        60_000,
        300,
      );
      expect(['stale', 'closed-round']).toContain(rejected);
      // The late client shows in round 1's rejections, never in its accepted list.
      const final1 = (await s.round(runId, 1))!;
      expect(final1.accepted.map((a) => a.clientId)).not.toContain(late);
      const r2 = (await s.round(runId, 2))!;
      expect(r2.status).toBe('closed');
      expect(r2.accepted.length).toBeGreaterThanOrEqual(2);

      // v1 = v0 + FedAvg(on-time deltas exact fold, any order): exactly the round without the late client.
      const v0 = decodeWeights((await s.runs.getModel(runId, 0))!);
      const fold = createExactFedAvg(v0);
      for (const u of [...final1.accepted].sort((a, b) => a.clientId - b.clientId))
        fold.add(decodeWeights((await s.redis.blobs.getBlob(u.updateKey))!), u.samples);
      const expected = Buffer.from(encodeWeights(addWeights(v0, fold.result())));
      expect(Buffer.from((await s.runs.getModel(runId, 1))!).equals(expected)).toBe(true);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${s.dump()}`, { cause: error });
    }
  });
});
