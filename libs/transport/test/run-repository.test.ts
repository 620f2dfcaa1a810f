import { RunConfigSchema, type RoundRecord, type RunRecord } from '@fedssd/protocol';
import { describe, expect, it } from 'vitest';
import { createInMemoryTransport, createRunRepository, RunNotFoundError } from '../src/index.js';

const run = (runId: string, createdAt: string): RunRecord => ({
  runId,
  config: RunConfigSchema.parse({}),
  status: 'created',
  createdAt,
  updatedAt: createdAt,
  currentRound: 0,
  roundStatus: 'none',
  globalVersion: 0,
});

describe('RunRepository over the fakes', () => {
  it('when a run is created twice, then the second create reports false and the index lists it once', async () => {
    const { state, blobs } = createInMemoryTransport();
    const repo = createRunRepository(state, blobs);
    expect(await repo.createRun(run('b', '2026-01-02'))).toBe(true);
    expect(await repo.createRun(run('a', '2026-01-01'))).toBe(true);
    expect(await repo.createRun(run('b', '2026-01-03'))).toBe(false);
    expect((await repo.listRuns()).map((r) => [r.runId, r.createdAt])).toEqual([
      ['a', '2026-01-01'],
      ['b', '2026-01-02'],
    ]);
  });

  it('when a missing run is updated, then RunNotFoundError is thrown', async () => {
    const { state, blobs } = createInMemoryTransport();
    const repo = createRunRepository(state, blobs);
    await expect(repo.updateRun('nope', (r) => r)).rejects.toThrow(RunNotFoundError);
  });

  it('when rounds, metrics and models are stored, then they read back under their own keys', async () => {
    const { state, blobs } = createInMemoryTransport();
    const repo = createRunRepository(state, blobs);
    const round: RoundRecord = {
      runId: 'a',
      round: 1,
      status: 'open',
      selected: [0, 1],
      baseVersion: 0,
      openedAt: 't',
      deadline: 1,
      accepted: [],
      rejected: [],
    };
    await repo.putRound(round);
    const next = await repo.updateRound('a', 1, (r) => ({ ...r, status: 'collecting' }));
    expect(next?.status).toBe('collecting');
    expect(await repo.updateRound('a', 2, (r) => r)).toBeNull();
    await repo.putModel('a', 1, new Uint8Array([1, 2]));
    expect(Array.from((await repo.getModel('a', 1)) ?? [])).toEqual([1, 2]);
    expect(await repo.getModel('a', 2)).toBeNull();
    await repo.putTargets('a', new Uint8Array([7]));
    expect(Array.from((await repo.getTargets('a')) ?? [])).toEqual([7]);
  });
});
