import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { rssMiB, slope } from './helpers/rss.js';
import { createStack, skipOrFail, waitHealthy, type Stack } from './helpers/stack.js';

/**
 * Load: many simulated clients at partial participation through several trainers, every round
 * must complete; each service's RSS is sampled at every round close and must not trend upward
 * beyond a bound once warmed up; the queues must be empty at the end.
 *
 * FEDSSD_SOAK=1 runs the full soak (50 clients at 20%, 6 trainers, 20 rounds); otherwise a short
 * version (20 clients at 20%, 3 trainers, 6 rounds) runs in the CI suite.
 */
const FULL = process.env.FEDSSD_SOAK === '1';
const SHAPE = FULL ? { clients: 50, trainers: 6, rounds: 20 } : { clients: 20, trainers: 3, rounds: 6 };
/** Tiny shards (~16 images per client, two batches of 8) so the load is the protocol, not the maths. */
const RUN = {
  clients: SHAPE.clients,
  participation: 0.2,
  rounds: SHAPE.rounds,
  trainLimit: SHAPE.clients * 16,
  batchSize: 8,
  alpha: 1000,
  seed: 3,
  autoAdvance: true,
  evalEvery: 1_000,
};
/**
 * Allowed RSS growth per service between the end of round 2 (warm-up: wasm heap, run caches) and
 * the end of the second-to-last round. The last round is left out of the trend because it runs
 * the run's one final evaluation (test set + features), a one-off allocation that wasm never
 * hands back; it is reported separately as `finalEvalStep`.
 */
const MAX_SLOPE_MIB_PER_ROUND = FULL ? 3 : 15;
const MAX_DRIFT_MIB = FULL ? 60 : 80;

let stack: Stack | string | undefined;
afterAll(async () => {
  if (typeof stack === 'object') await stack.cleanup();
});

describe(`soak: ${SHAPE.clients} clients at 20% participation, ${SHAPE.trainers} trainers, ${SHAPE.rounds} rounds${FULL ? '' : ' (short CI version; FEDSSD_SOAK=1 for the full one)'}`, () => {
  it(
    'when the run goes round after round, then every round completes, RSS stays flat after warm-up, and the queues drain to zero',
    async (ctx) => {
      stack = await createStack('soak');
      if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
      const s = stack;
      const trainers = Array.from({ length: SHAPE.trainers }, (_, i) => `t${i + 1}`);
      s.start('aggregator', 'aggregator');
      for (const t of trainers) s.start(t, 'trainer');
      s.start('api', 'api');
      await Promise.all([
        waitHealthy(s),
        s.logged('aggregator', 'aggregator ready', 120_000),
        ...trainers.map((t) => s.logged(t, 'trainer ready', 120_000)),
      ]);

      const started = Date.now();
      const created = await s.http<{ runId: string }>('POST', '/v1/runs', RUN);
      expect(created.status).toBe(201);
      const { runId } = created.json;
      const samples: Record<string, number[]> = {};
      const roundSeconds: number[] = [];
      let last = Date.now();
      try {
        for (let round = 1; round <= SHAPE.rounds; round++) {
          const r = await waitFor(
            `round ${round} closed`,
            async () => {
              const rec = await s.round(runId, round);
              if (rec === null && (await s.runRecord(runId))?.status === 'failed')
                throw new Error(`run failed: ${(await s.runRecord(runId))?.error}`);
              return rec?.status === 'closed' ? rec : undefined;
            },
            120_000,
            250,
          );
          expect(r.outcome, `round ${round}`).toBe('all-reported');
          expect(r.accepted).toHaveLength(r.selected.length);
          expect(r.selected).toHaveLength(SHAPE.clients * 0.2);
          roundSeconds.push((Date.now() - last) / 1000);
          last = Date.now();
          for (const p of s.services.values()) (samples[p.name] ??= []).push(await rssMiB(p.child.pid!));
        }
        const run = await s.finished(runId, 60_000);
        expect(run.globalVersion).toBe(SHAPE.rounds);
        const counts = await waitFor(
          'queues drained',
          async () => {
            const c = await s.queueCounts();
            return ['jobs', 'updates', 'control'].every((q) => c[q]?.ready === 0 && c[q]?.unacked === 0) ? c : undefined;
          },
          30_000,
          500,
        );
        expect(counts.dead?.ready ?? 0).toBe(0);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${s.dump()}`, { cause: error });
      }

      const table = Object.entries(samples).map(([name, ys]) => {
        const warm = ys.slice(1, -1);
        return {
          name,
          afterRound1: Math.round(ys[0]!),
          warmStart: Math.round(warm[0]!),
          beforeLast: Math.round(warm.at(-1)!),
          end: Math.round(ys.at(-1)!),
          slopeMiBPerRound: Number(slope(warm).toFixed(2)),
          driftMiB: Math.round(warm.at(-1)! - warm[0]!),
          finalEvalStep: Math.round(ys.at(-1)! - warm.at(-1)!),
          perRound: ys.map(Math.round),
        };
      });
      // Printed for docs/RELIABILITY.md.
      console.log(
        JSON.stringify({
          soak: SHAPE,
          totalSeconds: Math.round((Date.now() - started) / 1000),
          roundSeconds: roundSeconds.map((x) => Number(x.toFixed(1))),
          rss: table,
        }),
      );
      for (const row of table) {
        expect(row.slopeMiBPerRound, `${row.name} RSS slope`).toBeLessThan(MAX_SLOPE_MIB_PER_ROUND);
        expect(row.driftMiB, `${row.name} RSS drift`).toBeLessThan(MAX_DRIFT_MIB);
      }
    },
    FULL ? 1_800_000 : 300_000,
  );
});
