import { describe, expect, it } from 'vitest';
import { decideRoundRequest, RunConfigSchema, type RunRecord } from '../src/index.js';

/** A run of 3 rounds, created and idle, with `overrides` on top. */
const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  runId: 'r1',
  config: RunConfigSchema.parse({ rounds: 3 }),
  status: 'created',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  currentRound: 0,
  roundStatus: 'none',
  globalVersion: 0,
  ...overrides,
});

describe('decideRoundRequest', () => {
  it('when a created run has no round yet, then round 1 may be requested', () => {
    expect(decideRoundRequest(run())).toEqual({ ok: true, round: 1 });
  });

  it('when a running run closed round 1 (or it failed), then round 2 may be requested', () => {
    for (const roundStatus of ['closed', 'failed'] as const)
      expect(decideRoundRequest(run({ status: 'running', currentRound: 1, roundStatus, requestedRound: 1 }))).toEqual({
        ok: true,
        round: 2,
      });
  });

  it.each(['stopping', 'stopped', 'finished', 'failed'] as const)('when the run is %s, then RUN_NOT_ACTIVE', (status) => {
    expect(decideRoundRequest(run({ status }))).toEqual({
      ok: false,
      code: 'RUN_NOT_ACTIVE',
      message: `run r1 is ${status}; rounds can only start while it is created or running`,
    });
  });

  it.each(['open', 'collecting', 'aggregating', 'evaluating'] as const)('when round 1 is %s, then ROUND_IN_PROGRESS', (roundStatus) => {
    expect(decideRoundRequest(run({ status: 'running', currentRound: 1, roundStatus }))).toEqual({
      ok: false,
      code: 'ROUND_IN_PROGRESS',
      message: `round 1 of run r1 is ${roundStatus}; wait for it to close`,
    });
  });

  it('when every round ran, then RUN_COMPLETE', () => {
    expect(decideRoundRequest(run({ status: 'running', currentRound: 3, roundStatus: 'closed' }))).toEqual({
      ok: false,
      code: 'RUN_COMPLETE',
      message: 'run r1 already ran all 3 rounds',
    });
  });

  it('when the next round was already requested, then ROUND_ALREADY_REQUESTED', () => {
    expect(decideRoundRequest(run({ requestedRound: 1 }))).toEqual({
      ok: false,
      code: 'ROUND_ALREADY_REQUESTED',
      message: 'round 1 of run r1 was already requested; wait for it to open and close',
    });
    expect(decideRoundRequest(run({ status: 'running', currentRound: 1, roundStatus: 'closed', requestedRound: 2 }))).toMatchObject({
      ok: false,
      code: 'ROUND_ALREADY_REQUESTED',
    });
  });

  it('when several refusals apply, then the run status wins over the round, and an active round over a repeated request', () => {
    expect(decideRoundRequest(run({ status: 'stopping', currentRound: 1, roundStatus: 'collecting' }))).toMatchObject({
      code: 'RUN_NOT_ACTIVE',
    });
    expect(decideRoundRequest(run({ status: 'running', currentRound: 1, roundStatus: 'open', requestedRound: 2 }))).toMatchObject({
      code: 'ROUND_IN_PROGRESS',
    });
  });
});
