import type { RoundRecord } from '@fedssd/protocol';
import { expect } from 'vitest';
import { waitFor } from '../../../tools/test-support/processes.js';
import { TINY_RUN } from './reference.js';
import type { Stack } from './stack.js';

/** Creates a run of TINY_RUN (plus `extra`) through the api; returns its id. */
export async function createRun(s: Stack, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await s.http<{ runId: string }>('POST', '/v1/runs', { ...TINY_RUN, ...extra });
  expect(res.status).toBe(201);
  return res.json.runId;
}

/** Waits for `cond` on a round record, polling Redis every `everyMs`. */
export function roundWhere(
  s: Stack,
  runId: string,
  round: number,
  what: string,
  cond: (r: RoundRecord) => boolean,
  everyMs = 20,
  timeoutMs = 90_000,
) {
  return waitFor(
    `round ${round} ${what}`,
    async () => {
      const r = await s.round(runId, round);
      return r !== null && cond(r) ? r : undefined;
    },
    timeoutMs,
    everyMs,
  );
}

/**
 * The run finished with the reference bytes, every selected client counted once in each of
 * `rounds` rounds, one metrics row per round, and no job or update left on the queues (stale
 * redeliveries are dropped and acked), nothing dead-lettered.
 */
export async function expectExactFinish(s: Stack, runId: string, reference: Buffer, rounds = 2, clients = 3): Promise<void> {
  try {
    const run = await s.finished(runId, 150_000);
    expect(run).toMatchObject({ status: 'finished', currentRound: rounds, globalVersion: rounds });
    for (let round = 1; round <= rounds; round += 1) {
      const r = await s.round(runId, round);
      expect(r?.accepted.map((a) => a.clientId).sort()).toEqual(Array.from({ length: clients }, (_, i) => i));
    }
    expect(
      (await s.runs.listMetrics(runId)).map((row) => row.round),
      'one metrics row per round',
    ).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
    const model = await s.runs.getModel(runId, rounds);
    expect(model, 'final model stored').not.toBeNull();
    expect(Buffer.from(model!).equals(reference), 'final model bytes equal simulateRun').toBe(true);
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
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${s.dump()}`, { cause: error });
  }
}

/** (Re)starts a service process and waits until it says it is ready. */
export async function restart(s: Stack, name: string, service: 'aggregator' | 'trainer', extra?: Record<string, string>): Promise<void> {
  s.start(name, service, extra);
  await s.logged(name, `${service} ready`);
}

/**
 * Both trainers hold a round-1 job and nothing is accepted yet: mid-training. Three jobs, two
 * trainers with prefetch 1: one job still ready means two are taken. The fast checks (our own
 * channel, one Redis GET) poll every 20 ms; a warmed-up job takes over a second.
 */
export async function midTraining(s: Stack, runId: string): Promise<void> {
  await waitFor(
    'two round-1 jobs in flight, none accepted',
    async () => {
      const before = await s.round(runId, 1);
      if (before?.status !== 'collecting' || before.accepted.length > 0) return undefined;
      if ((await s.jobsReady()) !== 1) return undefined;
      const after = await s.round(runId, 1);
      return after?.status === 'collecting' && after.accepted.length === 0 ? true : undefined;
    },
    90_000,
    20,
  );
}
