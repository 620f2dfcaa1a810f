import { RunConfigSchema, type AcceptedUpdate, type RoundRecord, type RunConfigInput, type RunRecord } from '@fedssd/protocol';
import type { RunState } from '../../src/index.js';

export const T0 = 1_700_000_000_000;
export const iso = (at: number) => new Date(at).toISOString();

/** A run record (running, 3 clients, 2 rounds, autoAdvance) with overrides. */
export function runOf(overrides: Partial<RunRecord> = {}, config: Partial<RunConfigInput> = {}): RunRecord {
  return {
    runId: 'r',
    config: RunConfigSchema.parse({
      clients: 3,
      rounds: 2,
      seed: 1,
      autoAdvance: true,
      roundDeadlineMs: 10_000,
      graceMs: 1_000,
      ...config,
    }),
    status: 'running',
    createdAt: iso(T0),
    updatedAt: iso(T0),
    currentRound: 0,
    roundStatus: 'none',
    globalVersion: 0,
    seq: 3,
    ...overrides,
  };
}

/** Round 1 of `run`, collecting clients 0-2 from version 0. */
export function roundOf(overrides: Partial<RoundRecord> = {}): RoundRecord {
  return {
    runId: 'r',
    round: 1,
    status: 'collecting',
    selected: [0, 1, 2],
    baseVersion: 0,
    openedAt: iso(T0),
    deadline: T0 + 10_000,
    accepted: [],
    rejected: [],
    ...overrides,
  };
}

export function update(clientId: number, samples = 10 * (clientId + 1)): AcceptedUpdate {
  return {
    clientId,
    samples,
    updateKey: `k${clientId}`,
    trainSeconds: 1,
    loss: { total: clientId, align: 1, uniformity: -1, dsr: 0, pd: 0 },
    workerId: 'w',
    samplesProcessed: samples,
  };
}

/** A state whose run is at round 1 with `round` as its record. */
export function stateAt(round: RoundRecord, run: Partial<RunRecord> = {}, config: Partial<RunConfigInput> = {}): RunState {
  return { run: runOf({ currentRound: round.round, roundStatus: round.status, ...run }, config), round };
}

export const METRICS = { knnAccuracy: 0.5, uniformity: 1, effectiveRank: 2, interClientUniformity: 0.5 };
