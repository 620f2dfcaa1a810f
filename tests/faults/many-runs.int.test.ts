import type { RunConfigInput } from '@fedssd/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, expectExactFinish, restart } from './helpers/exact.js';
import { referenceModel, TINY_RUN } from './helpers/reference.js';
import { createStack, logLines, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Five runs at once on one stack (api, two aggregator replicas, three trainers): four methods
 * and a second seed, three rounds each on tiny synthetic data. Each must end with its own
 * `simulateRun` bytes, and none may starve: every run closes its first round before any run
 * closes its third (jobs are served first in, first out, so a run cannot be overtaken twice).
 */
const RUNS: ReadonlyArray<Partial<RunConfigInput>> = [
  { method: 'baseline' },
  { method: 'dsr' },
  { method: 'pd' },
  { method: 'ssd' },
  { method: 'ssd', seed: 12 },
];
const BASE = { ...TINY_RUN, rounds: 3, trainLimit: 90, batchSize: 16 } satisfies RunConfigInput;
const AGGREGATORS = ['agg-a', 'agg-b'];

let stack: Stack | string;
let references: Buffer[];

beforeAll(async () => {
  stack = await createStack('many');
  if (typeof stack === 'string') return;
  const s = stack;
  const started = (async () => {
    await startServices(s, ['t1', 't2', 't3']);
    await s.services.get('aggregator')!.stop();
    s.services.delete('aggregator');
    await Promise.all(AGGREGATORS.map((name) => restart(s, name, 'aggregator', { AGGREGATOR_REPLICA_ID: name })));
  })();
  const refs = (async () => {
    const out: Buffer[] = [];
    for (const extra of RUNS) out.push(await referenceModel({ ...BASE, ...extra }));
    return out;
  })();
  [references] = await Promise.all([refs, started]);
});

afterAll(async () => {
  if (typeof stack !== 'string') await stack?.cleanup();
});

describe('many runs at once on real RabbitMQ + Redis', () => {
  it('when five runs of different methods share two aggregators and three trainers, then each ends with its simulateRun bytes and none starves', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const started = Date.now();
    const ids = await Promise.all(RUNS.map((extra) => createRun(s, { ...BASE, ...extra })));
    for (const [i, runId] of ids.entries()) await expectExactFinish(s, runId, references[i]!, 3);
    const seconds = (Date.now() - started) / 1000;

    // Fairness: the last first-round close comes before the first third-round close.
    const closedAt = async (runId: string, round: number) => Date.parse((await s.round(runId, round))!.closedAt!);
    const firsts = await Promise.all(ids.map((id) => closedAt(id, 1)));
    const thirds = await Promise.all(ids.map((id) => closedAt(id, 3)));
    expect(Math.max(...firsts), 'every run closed round 1 before any run closed round 3').toBeLessThan(Math.min(...thirds));

    // Which replica drove which run (a run may change hands only if a replica lost it; none should here).
    const owners = new Map<string, string[]>();
    for (const name of AGGREGATORS) {
      const acquired = logLines(s.services.get(name)!.output()).filter((l) => l.msg === 'run acquired' && ids.includes(String(l.runId)));
      owners.set(name, [...new Set(acquired.map((l) => String(l.runId).slice(0, 8)))]);
      expect(logLines(s.services.get(name)!.output()).filter((l) => l.msg === 'write refused: stale fencing token')).toEqual([]);
    }
    console.log(
      `[many-runs] 5 runs x 3 rounds in ${seconds.toFixed(1)} s; round-1 closes within ${((Math.max(...firsts) - Math.min(...firsts)) / 1000).toFixed(1)} s of each other; ` +
        `runs acquired: ${[...owners].map(([n, r]) => `${n} ${r.length}`).join(', ')}`,
    );
  });
});
