import { addWeights, createExactFedAvg } from '@fedssd/fedavg';
import { decodeWeights, encodeWeights } from '@fedssd/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { createRun, restart, roundWhere } from './helpers/exact.js';
import { createStack, logLines, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * A job that kills its trainer every time: with FEDSSD_JOB_ATTEMPTS=2 the quorum queue delivers
 * it twice, then dead-letters it; the aggregator learns it from the broker's dead letter (not
 * from a trainer), records the client as failed, and the round closes as soon as the other
 * clients reported (all-settled) instead of waiting for its deadline.
 */
let stack: Stack | string;

beforeAll(async () => {
  stack = await createStack('jobfail', { jobAttempts: 2 });
  if (typeof stack === 'string') return;
  await startServices(stack, ['t1']);
});
afterAll(async () => {
  if (typeof stack !== 'string') await stack?.cleanup();
});

/** Waits until trainer t1 (its current process) logged that it started client `clientId`'s round-`round` job. */
function startedJob(s: Stack, runId: string, round: number, clientId: number) {
  return waitFor(
    `t1 to start client ${clientId}'s job`,
    async () =>
      logLines(s.services.get('t1')!.output()).find(
        (l) => l.msg === 'job started' && l.runId === runId && l.round === round && l.clientId === clientId,
      ),
    90_000,
    20,
  );
}

describe('a job that keeps failing on real RabbitMQ + Redis', () => {
  it('when the trainer holding a job is killed as often as FEDSSD_JOB_ATTEMPTS allows, then the broker dead-letters it, the client is failed and the round closes all-settled', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    // Five local epochs: the killed job is surely still training when the kill lands.
    const runId = await createRun(s, { localEpochs: 5, roundDeadlineMs: 600_000 });
    try {
      const first = await startedJob(s, runId, 1, 0);
      expect(first.redelivered).toBe(false);
      await s.services.get('t1')!.kill();
      await restart(s, 't1', 'trainer');
      const second = await startedJob(s, runId, 1, 0);
      expect(second.redelivered, 'the broker handed the same job back').toBe(true);
      await s.services.get('t1')!.kill();
      await restart(s, 't1', 'trainer');

      const r1 = await roundWhere(s, runId, 1, 'closed', (r) => r.status === 'closed', 200, 120_000);
      expect(r1).toMatchObject({ outcome: 'all-settled', failed: [{ clientId: 0, reason: 'delivery_limit' }], globalVersion: 1 });
      expect(r1.accepted.map((a) => a.clientId).sort()).toEqual([1, 2]);
      expect(Date.parse(r1.closedAt!) - Date.parse(r1.openedAt), 'closed long before the 10-minute deadline').toBeLessThan(300_000);
      // v1 = v0 + FedAvg of the two clients that reported, exact fold, any order.
      const v0 = decodeWeights((await s.runs.getModel(runId, 0))!);
      const fold = createExactFedAvg(v0);
      for (const u of [...r1.accepted].sort((a, b) => a.clientId - b.clientId))
        fold.add(decodeWeights((await s.redis.blobs.getBlob(u.updateKey))!), u.samples);
      expect(Buffer.from((await s.runs.getModel(runId, 1))!).equals(Buffer.from(encodeWeights(addWeights(v0, fold.result()))))).toBe(true);

      // The run goes on: round 2 has fresh jobs for everyone.
      const run = await s.finished(runId, 240_000);
      expect(run.globalVersion).toBe(2);
      expect((await s.round(runId, 2))?.outcome).toBe('all-reported');
      const metrics = await (await fetch(`${await s.opsUrl('aggregator')}/metrics`)).text();
      expect(metrics).toMatch(/^fedssd_job_failures_total\{reason="delivery_limit"[^}]*\} 1$/m);
      expect(logLines(s.services.get('aggregator')!.output()).some((l) => l.msg === 'job failed' && l.clientId === 0)).toBe(true);
      // People keep the failed job in the dead queue; nothing else is there (broker counts lag a little: poll).
      const counts = await waitFor(
        'jobs queue drained',
        async () => {
          const c = await s.queueCounts();
          return c.jobs?.ready === 0 && c.jobs.unacked === 0 ? c : undefined;
        },
        30_000,
        500,
      );
      expect(counts.dead?.ready).toBe(1);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${s.dump()}`, { cause: error });
    }
  });
});
