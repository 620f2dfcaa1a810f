import { describe, expect, it } from 'vitest';
import { transition, type RoundEffect, type RoundEvent, type RunState } from '../../src/index.js';
import { METRICS, roundOf, runOf, stateAt, T0, update } from './fixtures.js';

const types = (effects: readonly RoundEffect[]) => effects.map((e) => (e.type === 'emit' ? `emit:${e.message.type}` : e.type));

interface Case {
  readonly name: string;
  readonly state: RunState;
  readonly event: RoundEvent;
  readonly at?: number;
  /** Expected run/round fields after the event (partial), null round = none written. */
  readonly run?: Record<string, unknown>;
  readonly round?: Record<string, unknown> | null;
  readonly effects: string[];
  readonly ignored?: RegExp;
  readonly row?: Record<string, unknown>;
}

const created = { run: runOf({ status: 'created' }), round: null };
const collecting = stateAt(roundOf());
const twoIn = stateAt(roundOf({ accepted: [update(0), update(2)] }));

/** One row per transition of the machine: state, event, what must come out. */
const CASES: Case[] = [
  {
    name: 'start: a created run becomes running and, with autoAdvance, opens round 1 asking for its jobs',
    state: created,
    event: { type: 'start' },
    run: { status: 'running', currentRound: 1, roundStatus: 'open' },
    round: { round: 1, status: 'open', baseVersion: 0, deadline: T0 + 10_000, accepted: [] },
    effects: ['publish-jobs'],
  },
  {
    name: 'start without autoAdvance: running, no round until one is asked for',
    state: { run: runOf({ status: 'created' }, { autoAdvance: false }), round: null },
    event: { type: 'start' },
    run: { status: 'running', currentRound: 0, roundStatus: 'none' },
    effects: [],
  },
  {
    name: 'start with a round requested through the api before the run was prepared: that round opens (the request is pending, not lost)',
    state: { run: runOf({ status: 'created', requestedRound: 1 }, { autoAdvance: false }), round: null },
    event: { type: 'start' },
    run: { status: 'running', currentRound: 1, roundStatus: 'open' },
    round: { round: 1, status: 'open' },
    effects: ['publish-jobs'],
  },
  {
    name: 'start of a run stopped before it began: stopped at once',
    state: { run: runOf({ status: 'stopping' }), round: null },
    event: { type: 'start' },
    run: { status: 'stopped' },
    effects: ['emit:run.finished', 'clear-timers', 'run-ended'],
  },
  {
    name: 'round-start for the next round opens it and records it as requested',
    state: { run: runOf({}, { autoAdvance: false }), round: null },
    event: { type: 'round-start', round: 1 },
    run: { currentRound: 1, roundStatus: 'open', requestedRound: 1 },
    round: { round: 1, status: 'open' },
    effects: ['publish-jobs'],
  },
  {
    name: 'round-start while a round is collecting is ignored',
    state: collecting,
    event: { type: 'round-start', round: 2 },
    effects: [],
    ignored: /round 1 is collecting/,
  },
  {
    name: 'round-start for a round that is not next is ignored',
    state: { run: runOf({}, { autoAdvance: false }), round: null },
    event: { type: 'round-start', round: 3 },
    effects: [],
    ignored: /next round is 1/,
  },
  {
    name: 'jobs-published: open -> collecting, round.opened, the deadline timer armed',
    state: stateAt(roundOf({ status: 'open' })),
    event: { type: 'jobs-published', round: 1 },
    round: { status: 'collecting' },
    run: { roundStatus: 'collecting' },
    effects: ['emit:round.opened', 'arm-timer'],
  },
  {
    name: 'update-accepted below quorum: appended, nothing else',
    state: collecting,
    event: { type: 'update-accepted', round: 1, update: update(1) },
    round: { status: 'collecting', accepted: [update(1)] },
    effects: [],
  },
  {
    name: 'update-accepted reaching minClients: quorum time recorded and the grace timer armed',
    state: stateAt(roundOf({ accepted: [update(0)] }), {}, { minClients: 2 }),
    event: { type: 'update-accepted', round: 1, update: update(2) },
    at: T0 + 500,
    round: { minClientsReachedAt: T0 + 500 },
    effects: ['arm-timer'],
  },
  {
    name: 'update-accepted of the last selected client: closes all-reported and asks for the fold in client-id order',
    state: twoIn,
    event: { type: 'update-accepted', round: 1, update: update(1) },
    round: { status: 'aggregating', outcome: 'all-reported' },
    effects: ['clear-timers', 'aggregate'],
  },
  {
    name: 'update-accepted for a client already accepted: recorded as a duplicate rejection',
    state: twoIn,
    event: { type: 'update-accepted', round: 1, update: update(0) },
    round: {
      accepted: [update(0), update(2)],
      rejected: [{ clientId: 0, reason: 'duplicate', message: 'client 0 already reported for round 1' }],
    },
    effects: [],
  },
  {
    name: 'update-accepted for an unselected client: recorded as unselected',
    state: stateAt(roundOf({ selected: [0, 2] })),
    event: { type: 'update-accepted', round: 1, update: update(1) },
    round: { accepted: [], rejected: [{ clientId: 1, reason: 'unselected', message: 'client 1 was not selected for round 1' }] },
    effects: [],
  },
  {
    name: 'client-failed with others still out: recorded with the broker reason, nothing else',
    state: collecting,
    event: { type: 'client-failed', round: 1, clientId: 1, reason: 'delivery_limit' },
    round: { status: 'collecting', failed: [{ clientId: 1, reason: 'delivery_limit' }], accepted: [] },
    effects: [],
  },
  {
    name: 'client-failed of the last outstanding client: closes all-settled and folds the clients that reported',
    state: twoIn,
    event: { type: 'client-failed', round: 1, clientId: 1, reason: 'delivery_limit' },
    round: { status: 'aggregating', outcome: 'all-settled', failed: [{ clientId: 1, reason: 'delivery_limit' }] },
    effects: ['clear-timers', 'aggregate'],
  },
  {
    name: 'client-failed of the last client when every other one failed too: all-settled, nothing to fold, the old version is evaluated',
    state: stateAt(
      roundOf({
        failed: [
          { clientId: 0, reason: 'rejected' },
          { clientId: 2, reason: 'delivery_limit' },
        ],
      }),
    ),
    event: { type: 'client-failed', round: 1, clientId: 1, reason: 'delivery_limit' },
    round: { status: 'evaluating', outcome: 'all-settled', globalVersion: 0, accepted: [] },
    effects: ['clear-timers', 'evaluate'],
  },
  {
    name: 'client-failed during the grace period for the last outstanding client: closes all-settled at once, before the grace ends',
    state: stateAt(roundOf({ accepted: [update(0), update(1)], minClientsReachedAt: T0 + 100 }), {}, { minClients: 2 }),
    event: { type: 'client-failed', round: 1, clientId: 2, reason: 'delivery_limit' },
    at: T0 + 200,
    round: { status: 'aggregating', outcome: 'all-settled' },
    effects: ['clear-timers', 'aggregate'],
  },
  {
    name: 'client-failed for a client that already reported: ignored (its update arrived first and counts)',
    state: twoIn,
    event: { type: 'client-failed', round: 1, clientId: 0, reason: 'delivery_limit' },
    effects: [],
    ignored: /client 0 already reported/,
  },
  {
    name: 'client-failed twice for one client: the second is ignored',
    state: stateAt(roundOf({ failed: [{ clientId: 2, reason: 'delivery_limit' }] })),
    event: { type: 'client-failed', round: 1, clientId: 2, reason: 'rejected' },
    effects: [],
    ignored: /client 2 already failed/,
  },
  {
    name: 'client-failed for an unselected client or a round that moved on: ignored',
    state: stateAt(roundOf({ selected: [0, 2] })),
    event: { type: 'client-failed', round: 1, clientId: 1, reason: 'delivery_limit' },
    effects: [],
    ignored: /client 1 was not selected/,
  },
  {
    name: 'client-failed for a round that is aggregating: ignored',
    state: stateAt(roundOf({ status: 'aggregating', outcome: 'all-reported' })),
    event: { type: 'client-failed', round: 1, clientId: 1, reason: 'delivery_limit' },
    effects: [],
    ignored: /round 1 is not collecting/,
  },
  {
    name: 'update-accepted for a client whose job failed: refused as failed-client',
    state: stateAt(roundOf({ failed: [{ clientId: 1, reason: 'delivery_limit' }] })),
    event: { type: 'update-accepted', round: 1, update: update(1) },
    round: {
      accepted: [],
      rejected: [{ clientId: 1, reason: 'failed-client', message: "client 1's job for round 1 already failed" }],
    },
    effects: [],
  },
  {
    name: 'all-settled round closing: its row and round.closed list the failed clients',
    state: stateAt(
      roundOf({
        status: 'aggregating',
        outcome: 'all-settled',
        accepted: [update(0)],
        failed: [
          { clientId: 1, reason: 'delivery_limit' },
          { clientId: 2, reason: 'rejected' },
        ],
      }),
      {},
      { evalEvery: 2, rounds: 3 },
    ),
    event: { type: 'aggregated', round: 1, version: 1 },
    run: { globalVersion: 1, currentRound: 2 },
    row: { round: 1, outcome: 'all-settled', accepted: 1, participants: [0], failed: [1, 2] },
    effects: ['emit:round.closed', 'release-updates', 'publish-jobs'],
  },
  {
    name: 'update-rejected: kept in the round record',
    state: collecting,
    event: { type: 'update-rejected', round: 1, rejection: { clientId: 1, reason: 'non-finite', message: 'NaN' } },
    round: { rejected: [{ clientId: 1, reason: 'non-finite', message: 'NaN' }] },
    effects: [],
  },
  {
    name: 'timer before anything is due: re-armed',
    state: collecting,
    event: { type: 'timer', round: 1 },
    at: T0 + 5_000,
    effects: ['arm-timer'],
  },
  {
    name: 'timer at the deadline with no updates: closes as deadline and, folding nothing, evaluates the old version',
    state: collecting,
    event: { type: 'timer', round: 1 },
    at: T0 + 10_000,
    round: { status: 'evaluating', outcome: 'deadline', globalVersion: 0 },
    effects: ['clear-timers', 'evaluate'],
  },
  {
    name: 'timer after the grace period: closes as min-clients',
    state: stateAt(roundOf({ accepted: [update(0), update(1)], minClientsReachedAt: T0 + 100 }), {}, { minClients: 2 }),
    event: { type: 'timer', round: 1 },
    at: T0 + 1_100,
    round: { status: 'aggregating', outcome: 'min-clients' },
    effects: ['clear-timers', 'aggregate'],
  },
  {
    name: 'timer for a round that moved on: ignored',
    state: stateAt(roundOf({ status: 'aggregating' })),
    event: { type: 'timer', round: 1 },
    effects: [],
    ignored: /not collecting/,
  },
  {
    name: 'stop while collecting: the round closes as stopped without a fold, the run ends stopped',
    state: twoIn,
    event: { type: 'stop' },
    run: { status: 'stopped', roundStatus: 'closed', globalVersion: 0 },
    round: { status: 'closed', outcome: 'stopped' },
    row: { round: 1, outcome: 'stopped', accepted: 2 },
    effects: ['clear-timers', 'emit:round.closed', 'release-updates', 'emit:run.finished', 'clear-timers', 'run-ended'],
  },
  {
    name: 'stop while aggregating: only marked stopping; the run ends when the round closes',
    state: stateAt(roundOf({ status: 'aggregating', outcome: 'all-reported' })),
    event: { type: 'stop' },
    run: { status: 'stopping' },
    effects: [],
  },
  {
    name: 'stop of a created run: stopped at once',
    state: created,
    event: { type: 'stop' },
    run: { status: 'stopped' },
    effects: ['emit:run.finished', 'clear-timers', 'run-ended'],
  },
  {
    name: 'aggregated on a non-evaluation round: closed with its row, round.closed, and the next round opens',
    state: stateAt(roundOf({ status: 'aggregating', outcome: 'all-reported', accepted: [update(0)] }), {}, { evalEvery: 2, rounds: 3 }),
    event: { type: 'aggregated', round: 1, version: 1 },
    run: { globalVersion: 1, currentRound: 2, roundStatus: 'open' },
    round: { round: 2, status: 'open', baseVersion: 1 },
    row: { round: 1, globalVersion: 1, outcome: 'all-reported', accepted: 1, knnAccuracy: null },
    effects: ['emit:round.closed', 'release-updates', 'publish-jobs'],
  },
  {
    name: 'aggregated with a tampered update left out: moved from accepted to rejected',
    state: stateAt(roundOf({ status: 'aggregating', outcome: 'all-reported', accepted: [update(0), update(1)] })),
    event: { type: 'aggregated', round: 1, version: 1, excluded: [{ clientId: 1, reason: 'tampered', message: 'changed' }] },
    round: { status: 'evaluating', accepted: [update(0)], rejected: [{ clientId: 1, reason: 'tampered', message: 'changed' }] },
    effects: ['evaluate'],
  },
  {
    name: 'evaluated on the last round: closed with metrics in the row, round.evaluated, round.closed, run finished',
    state: stateAt(roundOf({ round: 2, status: 'evaluating', outcome: 'all-reported', globalVersion: 2, accepted: [update(0)] }), {
      currentRound: 2,
      globalVersion: 1,
    }),
    event: { type: 'evaluated', round: 2, metrics: METRICS, evalSeconds: 1 },
    run: { status: 'finished', globalVersion: 2 },
    round: { status: 'closed', metrics: METRICS },
    row: { round: 2, knnAccuracy: 0.5, globalVersion: 2 },
    effects: ['emit:round.evaluated', 'emit:round.closed', 'release-updates', 'emit:run.finished', 'clear-timers', 'run-ended'],
  },
  {
    name: 'restart with a round open: its jobs are published again (attempt 2)',
    state: stateAt(roundOf({ status: 'open' })),
    event: { type: 'restart' },
    effects: ['publish-jobs'],
  },
  {
    name: 'restart of a collecting round that became due while down: it closes',
    state: twoIn,
    event: { type: 'restart' },
    at: T0 + 20_000,
    round: { status: 'aggregating', outcome: 'deadline' },
    effects: ['clear-timers', 'aggregate'],
  },
  {
    name: 'restart of a collecting round whose outstanding clients all failed while down: it closes all-settled',
    state: stateAt(
      roundOf({
        accepted: [update(0)],
        failed: [
          { clientId: 1, reason: 'delivery_limit' },
          { clientId: 2, reason: 'delivery_limit' },
        ],
      }),
    ),
    event: { type: 'restart' },
    round: { status: 'aggregating', outcome: 'all-settled' },
    effects: ['clear-timers', 'aggregate'],
  },
  {
    name: 'restart mid-evaluation: the evaluation is asked for again',
    state: stateAt(roundOf({ status: 'evaluating', outcome: 'all-reported', globalVersion: 1 })),
    event: { type: 'restart' },
    effects: ['evaluate'],
  },
  {
    name: 'fail: the round and the run are failed and announced',
    state: collecting,
    event: { type: 'fail', reason: 'disk full' },
    run: { status: 'failed', error: 'disk full', roundStatus: 'failed' },
    round: { status: 'failed', outcome: 'failed' },
    effects: ['emit:run.failed', 'clear-timers', 'run-ended'],
  },
  {
    name: 'any event on an ended run (other than a rejection or restart): ignored',
    state: { run: runOf({ status: 'finished' }), round: null },
    event: { type: 'round-start', round: 1 },
    effects: [],
    ignored: /run is finished/,
  },
];

describe('round machine: one row per transition', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const out = transition(c.state, c.event, c.at ?? T0);
      expect(types(out.effects).filter((t) => t !== 'clear-timers' || c.effects.includes('clear-timers'))).toEqual(c.effects);
      if (c.run) expect(out.state.run).toMatchObject(c.run);
      if (c.round) expect(out.state.round).toMatchObject(c.round);
      if (c.row) expect(out.writes?.metricsRow).toMatchObject(c.row);
      else expect(out.writes?.metricsRow).toBeUndefined();
      if (c.ignored) {
        expect(out.ignored).toMatch(c.ignored);
        expect(out.writes).toBeNull();
      }
      // Invariant of every write: the run mirrors its current round record.
      if (out.writes !== null && out.state.round !== null) {
        expect(out.state.run.roundStatus).toBe(out.state.round.status);
        expect(out.state.run.currentRound).toBe(out.state.round.round);
      }
    });
  }

  it('when the machine is given the same state, event and time twice, then both results are equal (pure)', () => {
    for (const c of CASES) expect(transition(c.state, c.event, c.at ?? T0)).toEqual(transition(c.state, c.event, c.at ?? T0));
  });
});
