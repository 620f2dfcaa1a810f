import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoundOutcome } from '@fedssd/protocol';
import { transition, type RoundEvent, type RunState } from '../../src/index.js';
import { METRICS, runOf, T0, update } from './fixtures.js';

/**
 * Any interleaving of update arrivals, duplicates, failed jobs, timeouts, a stop and
 * crash-restarts: the machine, driven by a faithful in-test driver, must give the outcome the
 * round policy prescribes (computed independently below) and the same model as in-order
 * arrival. Times are chosen so no two kinds of moment coincide: arrivals end in 1, grace ends in
 * 3 (+1), restarts in 5, job failures in 6, deadlines in 7, stops in 9 (all relative to the
 * round's opening).
 */
interface RoundPlan {
  readonly arrivals: ReadonlyArray<{ client: number; at: number }>;
  /** The broker dead-letters the client's job at `at`. */
  readonly failures: ReadonlyArray<{ client: number; at: number }>;
  readonly stopAt?: number;
  readonly restartAt?: number;
}
interface Scenario {
  readonly clients: number;
  readonly rounds: number;
  readonly minClients?: number;
  readonly graceMs: number;
  readonly deadlineMs: number;
  readonly plans: readonly RoundPlan[];
}

const tens = (max: number) => fc.integer({ min: 0, max });
/** Time unit of the plans, so the shortest deadline (1.7 s) is above the schema's 1 s minimum. */
const MS = 100;
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    clients: fc.integer({ min: 1, max: 5 }),
    rounds: fc.integer({ min: 1, max: 3 }),
    useQuorum: fc.boolean(),
    q: fc.integer({ min: 1, max: 5 }),
    g: tens(40),
    d: fc.integer({ min: 5, max: 60 }),
  })
  .chain(({ clients, rounds, useQuorum, q, g, d }) => {
    const plan = fc.record(
      {
        arrivals: fc.uniqueArray(fc.record({ client: fc.integer({ min: 0, max: clients - 1 }), k: tens(80) }), {
          selector: (a) => a.k,
          maxLength: clients * 2,
        }),
        failures: fc.uniqueArray(fc.record({ client: fc.integer({ min: 0, max: clients - 1 }), k: tens(80) }), {
          selector: (a) => a.k,
          maxLength: clients,
        }),
        stop: fc.option(tens(70), { nil: undefined }),
        restart: fc.option(tens(70), { nil: undefined }),
      },
      { requiredKeys: ['arrivals', 'failures'] },
    );
    return fc.array(plan, { minLength: rounds, maxLength: rounds }).map((plans) => ({
      clients,
      rounds,
      ...(useQuorum ? { minClients: Math.min(q, clients) } : {}),
      graceMs: MS * (10 * g + 3),
      deadlineMs: MS * (10 * d + 7),
      plans: plans.map((p) => ({
        arrivals: p.arrivals.map((a) => ({ client: a.client, at: MS * (10 * a.k + 1) })),
        failures: p.failures.map((f) => ({ client: f.client, at: MS * (10 * f.k + 6) })),
        ...(p.stop !== undefined ? { stopAt: MS * (10 * p.stop + 9) } : {}),
        ...(p.restart !== undefined ? { restartAt: MS * (10 * p.restart + 5) } : {}),
      })),
    }));
  });

interface RoundResult {
  readonly outcome: RoundOutcome;
  readonly accepted: number[];
  readonly failed: number[];
}
interface Result {
  readonly rounds: RoundResult[];
  readonly status: string;
  readonly model: string;
}

/**
 * The policy, computed from the plan alone (no machine): when each round closes, why, with whom.
 * A client's first event decides what it is: an arrival first makes it a reporter (a later
 * failure of its job changes nothing), a failure first makes it failed (its later update is refused).
 */
function prescribed(s: Scenario): Result {
  const rounds: RoundResult[] = [];
  let model = 'v0';
  for (const plan of s.plans) {
    const first = new Map<number, { at: number; failed: boolean }>();
    const events = [...plan.arrivals.map((a) => ({ ...a, failed: false })), ...plan.failures.map((f) => ({ ...f, failed: true }))];
    for (const e of events.sort((x, y) => x.at - y.at)) if (!first.has(e.client)) first.set(e.client, { at: e.at, failed: e.failed });
    const reporters = [...first].filter(([, e]) => !e.failed);
    const times = reporters.map(([, e]) => e.at).sort((a, b) => a - b);
    const settledAt = Math.max(...[...first.values()].map((e) => e.at));
    const anyFailed = reporters.length < first.size;
    const all = first.size === s.clients && !anyFailed ? settledAt : Infinity;
    const settled = first.size === s.clients && anyFailed ? settledAt : Infinity;
    const quorumAt = s.minClients !== undefined && times.length >= s.minClients ? (times[s.minClients - 1] as number) : Infinity;
    const grace = quorumAt + s.graceMs;
    const stop = plan.stopAt ?? Infinity;
    const close = Math.min(all, settled, grace, s.deadlineMs, stop);
    const member = (failed: boolean) =>
      [...first]
        .filter(([, e]) => e.failed === failed && e.at <= close)
        .map(([c]) => c)
        .sort((a, b) => a - b);
    const accepted = member(false);
    let outcome: RoundOutcome;
    if (close === all) outcome = 'all-reported';
    else if (close === settled) outcome = 'all-settled';
    else if (close === grace) outcome = 'min-clients';
    else if (close === stop) outcome = 'stopped';
    else outcome = s.minClients !== undefined && accepted.length > 0 && accepted.length >= s.minClients ? 'min-clients' : 'deadline';
    rounds.push({ outcome, accepted, failed: member(true) });
    if (outcome === 'stopped') return { rounds, status: 'stopped', model };
    if (accepted.length > 0) model = `${model}|${accepted.join(',')}`;
  }
  return { rounds, status: 'finished', model };
}

/** Drives the machine like the aggregator does, with a fake clock, fold and evaluation. */
function driven(s: Scenario): Result {
  const config = {
    clients: s.clients,
    rounds: s.rounds,
    roundDeadlineMs: Math.max(1000, s.deadlineMs),
    graceMs: s.graceMs,
    autoAdvance: true,
    evalEvery: 1,
    ...(s.minClients !== undefined ? { minClients: s.minClients } : {}),
  };
  let state: RunState = { run: runOf({ status: 'created' }, config), round: null };
  const models = new Map<number, string>([[0, 'v0']]);
  let timer: { round: number; at: number } | undefined;
  const results: RoundResult[] = [];
  let steps = 0;
  const apply = (event: RoundEvent, at: number): void => {
    // A machine that keeps re-arming a timer that never closes the round would loop forever.
    if (++steps > 10_000) throw new Error(`no progress after ${steps} events (last: ${event.type})`);
    const step = transition(state, event, at);
    state = step.state;
    if (step.writes?.metricsRow) {
      const r = step.writes.rounds.find((x) => x.round === step.writes?.metricsRow?.round);
      results.push({
        outcome: step.writes.metricsRow.outcome,
        accepted: [...(r?.accepted ?? [])].map((a) => a.clientId).sort((a, b) => a - b),
        failed: (r?.failed ?? []).map((f) => f.clientId),
      });
    }
    for (const e of step.effects) {
      if (e.type === 'publish-jobs') {
        const r = state.round;
        if (r !== null && r.deadline !== r.openedAt.length && s.deadlineMs < 1000)
          state = { ...state, round: { ...r, deadline: Date.parse(r.openedAt) + s.deadlineMs } };
        apply({ type: 'jobs-published', round: e.round }, at);
      } else if (e.type === 'arm-timer') timer = { round: e.round, at: e.at };
      else if (e.type === 'clear-timers') timer = undefined;
      else if (e.type === 'aggregate') {
        expect(e.updates.map((u) => u.clientId)).toEqual([...e.updates.map((u) => u.clientId)].sort((a, b) => a - b));
        models.set(e.baseVersion + 1, `${models.get(e.baseVersion)}|${e.updates.map((u) => u.clientId).join(',')}`);
        apply({ type: 'aggregated', round: e.round, version: e.baseVersion + 1 }, at);
      } else if (e.type === 'evaluate') apply({ type: 'evaluated', round: e.round, metrics: METRICS, evalSeconds: 0 }, at);
    }
  };
  apply({ type: 'start' }, T0);
  for (let n = 1; n <= s.rounds && state.run.status === 'running'; n += 1) {
    const plan = s.plans[n - 1] as RoundPlan;
    const opened = Date.parse(state.round?.openedAt ?? '') || T0;
    const events: Array<{ at: number; event: RoundEvent; kind?: 'restart' }> = [
      ...plan.arrivals.map((a) => ({
        at: opened + a.at,
        event: { type: 'update-accepted', round: n, update: update(a.client) } as RoundEvent,
      })),
      ...plan.failures.map((f) => ({
        at: opened + f.at,
        event: { type: 'client-failed', round: n, clientId: f.client, reason: 'delivery_limit' } as RoundEvent,
      })),
      ...(plan.stopAt !== undefined ? [{ at: opened + plan.stopAt, event: { type: 'stop' } as RoundEvent }] : []),
      ...(plan.restartAt !== undefined
        ? [{ at: opened + plan.restartAt, event: { type: 'restart' } as RoundEvent, kind: 'restart' as const }]
        : []),
    ].sort((a, b) => a.at - b.at);
    for (const { at, event, kind } of events) {
      const current = state.round?.round === n;
      // A stop or crash planned for round n after it closed belongs to no round of the plan; late
      // arrivals still reach the machine (it must refuse them) but do not move the clock on.
      if (!current && event.type !== 'update-accepted') continue;
      while (current && timer !== undefined && timer.round === n && timer.at <= at) {
        const t = timer;
        timer = undefined;
        apply({ type: 'timer', round: t.round }, t.at);
      }
      if (state.round?.round !== n && event.type !== 'update-accepted') continue;
      if (kind === 'restart') timer = undefined; // a crash loses the in-memory timer
      apply(event, at);
    }
    while (state.round?.round === n && state.round.status === 'collecting' && timer !== undefined) {
      const t = timer;
      timer = undefined;
      apply({ type: 'timer', round: t.round }, t.at);
    }
  }
  return { rounds: results, status: state.run.status, model: models.get(state.run.globalVersion) ?? '?' };
}

describe('round machine: any interleaving gives the prescribed outcome', () => {
  it('when arrivals, duplicates, failed jobs, timeouts, a stop and restarts interleave in any order, then each round closes as the policy says with the same members and model as in-order arrival', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const want = prescribed(s);
        const got = driven(s);
        expect(got.rounds).toEqual(want.rounds);
        expect(got.status).toBe(want.status);
        expect(got.model).toBe(want.model);
      }),
      { numRuns: 400 },
    );
  });
});
