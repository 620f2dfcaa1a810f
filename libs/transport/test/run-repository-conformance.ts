import { RunConfigSchema, type RoundRecord, type RunRecord, type StoredModelSpec } from '@fedssd/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareEventIds, RunNotFoundError, type RunRepository } from '../src/index.js';

/** A repository over one adapter family with its own key space; `close` deletes what it wrote. */
export interface RunRepositoryHarness {
  readonly repo: RunRepository;
  close(): Promise<void>;
}

export const runRecord = (runId: string, createdAt: string): RunRecord => ({
  runId,
  config: RunConfigSchema.parse({}),
  status: 'created',
  createdAt,
  updatedAt: createdAt,
  currentRound: 0,
  roundStatus: 'none',
  globalVersion: 0,
});

/** The one suite the run repository passes over every state/blob adapter pair (fakes and Redis). */
export function describeRunRepositoryConformance(name: string, factory: () => Promise<RunRepositoryHarness>): void {
  describe(`${name}: run repository conformance`, () => {
    let h: RunRepositoryHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => h.close());

    it('when a run is created twice, then the second create reports false and the index lists it once', async () => {
      expect(await h.repo.createRun(runRecord('b', '2026-01-02'))).toBe(true);
      expect(await h.repo.createRun(runRecord('a', '2026-01-01'))).toBe(true);
      expect(await h.repo.createRun(runRecord('b', '2026-01-03'))).toBe(false);
      expect((await h.repo.listRuns()).map((r) => [r.runId, r.createdAt])).toEqual([
        ['a', '2026-01-01'],
        ['b', '2026-01-02'],
      ]);
    });

    it('when a missing run is updated, then RunNotFoundError is thrown', async () => {
      await expect(h.repo.updateRun('nope', (r) => r)).rejects.toThrow(RunNotFoundError);
    });

    it('when the patch returns undefined, then the record is left as it was and returned', async () => {
      await h.repo.createRun(runRecord('a', '2026-01-01'));
      const same = await h.repo.updateRun('a', () => undefined);
      expect(same).toEqual(runRecord('a', '2026-01-01'));
      expect(await h.repo.getRun('a')).toEqual(runRecord('a', '2026-01-01'));
    });

    it('when 8 updates race to claim one field, then exactly one patch wins and the others see the claim', async () => {
      await h.repo.createRun(runRecord('a', '2026-01-01'));
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          let won = false;
          // The last call of the patch is the one whose result was committed (or not written at all).
          await h.repo.updateRun('a', (r) => {
            won = r.requestedRound === undefined;
            return won ? { ...r, requestedRound: 1, updatedAt: `claim-${i}` } : undefined;
          });
          return won ? i : undefined;
        }),
      );
      const winners = outcomes.filter((i) => i !== undefined);
      expect(winners).toHaveLength(1);
      expect(await h.repo.getRun('a')).toMatchObject({ requestedRound: 1, updatedAt: `claim-${winners[0]}` });
    });

    it('when rounds, metrics and models are stored, then they read back under their own keys', async () => {
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
      await h.repo.putRound(round);
      const next = await h.repo.updateRound('a', 1, (r) => ({ ...r, status: 'collecting' }));
      expect(next?.status).toBe('collecting');
      expect(await h.repo.updateRound('a', 2, (r) => r)).toBeNull();
      await h.repo.putModel('a', 1, new Uint8Array([1, 2]));
      expect(Array.from((await h.repo.getModel('a', 1)) ?? [])).toEqual([1, 2]);
      expect(await h.repo.getModel('a', 2)).toBeNull();
      await h.repo.putTargets('a', new Uint8Array([7]));
      expect(Array.from((await h.repo.getTargets('a')) ?? [])).toEqual([7]);
    });

    it('when a model spec is stored for a run, then it reads back equal for that run only; other runs have none', async () => {
      const spec: StoredModelSpec = { kind: 'resnet18', inputShape: [32, 32, 3], featureDim: 128, width: 0.25 };
      expect(await h.repo.getSpec('a')).toBeNull();
      await h.repo.putSpec('a', spec);
      expect(await h.repo.getSpec('a')).toEqual(spec);
      expect(await h.repo.getSpec('b')).toBeNull();
    });

    it('when events are appended, then they read back in order with increasing ids, per run, resumable after any id', async () => {
      const opened = (runId: string, round: number) => ({
        type: 'round.opened' as const,
        version: 1 as const,
        runId,
        round,
        globalVersion: round - 1,
        selectedClients: [0],
        deadline: 1,
      });
      const ids: string[] = [];
      for (let round = 1; round <= 5; round++) ids.push((await h.repo.appendEvent(opened('a', round)))!);
      await h.repo.appendEvent(opened('b', 1));
      for (let i = 1; i < ids.length; i++) expect(compareEventIds(ids[i - 1]!, ids[i]!)).toBe(-1);
      const all = await h.repo.readEvents('a', undefined, 100);
      expect(all.map((e) => e.id)).toEqual(ids);
      expect(all.map((e) => (e.message.type === 'round.opened' ? e.message.round : 0))).toEqual([1, 2, 3, 4, 5]);
      expect((await h.repo.readEvents('a', ids[1], 2)).map((e) => e.id)).toEqual(ids.slice(2, 4));
      expect(await h.repo.readEvents('a', ids[4], 10)).toEqual([]);
      expect((await h.repo.readEvents('b', undefined, 10)).length).toBe(1);
      expect(await h.repo.readEvents('none', undefined, 10)).toEqual([]);
    });

    it('when an event of the same type and round is appended again (a redone effect), then it is kept once', async () => {
      const closed = { type: 'run.failed', version: 1, runId: 'a', reason: 'x' } as const;
      expect(await h.repo.appendEvent(closed)).toMatch(/^\d+-\d+$/);
      expect(await h.repo.appendEvent({ ...closed, reason: 'again' })).toBeNull();
      expect((await h.repo.readEvents('a', undefined, 10)).map((e) => e.message)).toMatchObject([{ reason: 'x' }]);
    });
  });
}
