import type { RunRecord } from '@fedssd/protocol';
import { StateRolledBackError } from '../errors.js';
import type { RunOwnershipStore } from '../ports.js';
import type { RunRepository } from './run-repository.js';

/** The newest state of a run this process has written or read. */
interface HighWater {
  seq: number;
  globalVersion: number;
  /** Highest model version this process stored. */
  model: number;
}

/**
 * Wraps a run repository so that reading a state older than one this process already wrote or
 * read throws {@link StateRolledBackError} instead of being acted on. Every write of a run record
 * increments its `seq` (the api's too), so a lower `seq`, a lower `globalVersion`, a vanished run
 * or a missing model this process stored can only mean Redis lost acknowledged writes: the usual
 * cause is a Sentinel failover to a replica that was behind. Only what this process saw is known,
 * so a freshly started replica cannot tell; the owner of a run, which wrote its latest state, can.
 */
export function guardRunRepository(repo: RunRepository): RunRepository {
  const seen = new Map<string, HighWater>();
  const mark = (run: RunRecord) => {
    const hw = seen.get(run.runId) ?? { seq: -1, globalVersion: -1, model: -1 };
    hw.seq = Math.max(hw.seq, run.seq ?? 0);
    hw.globalVersion = Math.max(hw.globalVersion, run.globalVersion);
    seen.set(run.runId, hw);
  };
  const check = (runId: string, run: RunRecord | null): RunRecord | null => {
    const hw = seen.get(runId);
    if (hw !== undefined && hw.seq >= 0) {
      if (run === null) throw new StateRolledBackError(runId, `the run record is gone, seq ${hw.seq} was seen`);
      if ((run.seq ?? 0) < hw.seq) throw new StateRolledBackError(runId, `run record seq ${run.seq ?? 0} < ${hw.seq} already seen`);
      if (run.globalVersion < hw.globalVersion) {
        throw new StateRolledBackError(runId, `global version ${run.globalVersion} < ${hw.globalVersion} already seen`);
      }
    }
    if (run !== null) mark(run);
    return run;
  };
  return {
    ...repo,
    getRun: async (runId) => check(runId, await repo.getRun(runId)),
    async listRuns() {
      const runs = await repo.listRuns();
      for (const run of runs) check(run.runId, run);
      return runs;
    },
    async updateRun(runId, patch) {
      const run = await repo.updateRun(runId, (current) => {
        check(runId, current);
        return patch(current);
      });
      return check(runId, run) ?? run;
    },
    async commit(expectedSeq, writes, fence) {
      const stored = await repo.commit(expectedSeq, writes, fence);
      if (stored !== null) mark(stored);
      return stored;
    },
    async putModel(runId, version, bytes, fence) {
      await repo.putModel(runId, version, bytes, fence);
      const hw = seen.get(runId) ?? { seq: -1, globalVersion: -1, model: -1 };
      hw.model = Math.max(hw.model, version);
      seen.set(runId, hw);
    },
    async getModel(runId, version) {
      const bytes = await repo.getModel(runId, version);
      const hw = seen.get(runId);
      if (bytes === null && hw !== undefined && version <= hw.model) {
        throw new StateRolledBackError(runId, `model v${version}, stored by this process, is gone`);
      }
      return bytes;
    },
  };
}

/**
 * Wraps the ownership store so that a lease acquired with a fencing token not above one this
 * process already held or saw for the run throws {@link StateRolledBackError}: the fence counter
 * only ever goes up, so a repeat means Redis lost INCRs and two replicas could hold one token.
 */
export function guardOwnershipStore(store: RunOwnershipStore): RunOwnershipStore {
  const tokens = new Map<string, number>();
  // Tokens this process acquired: re-acquiring a lease it still holds gives its own token back.
  const own = new Map<string, number>();
  const note = (runId: string, token: number) => tokens.set(runId, Math.max(tokens.get(runId) ?? 0, token));
  return {
    acquire: async (runId, owner, ttlMs) => {
      const token = await store.acquire(runId, owner, ttlMs);
      const before = tokens.get(runId);
      if (token !== null && before !== undefined && (token < before || (token === before && own.get(runId) !== token))) {
        throw new StateRolledBackError(runId, `fencing token ${token} handed out again (${before} already seen)`);
      }
      if (token !== null) {
        note(runId, token);
        own.set(runId, token);
      }
      return token;
    },
    renew: (fence, owner, ttlMs) => store.renew(fence, owner, ttlMs),
    release: async (fence, owner) => {
      // A later acquire must INCR past this token; getting it back again would be a lost INCR.
      if (own.get(fence.runId) === fence.token) own.delete(fence.runId);
      await store.release(fence, owner);
    },
    holder: async (runId) => {
      const holder = await store.holder(runId);
      if (holder !== null) note(runId, holder.token);
      return holder;
    },
    markActive: (runId) => store.markActive(runId),
    markEnded: (runId) => store.markEnded(runId),
    orphans: () => store.orphans(),
    forward: (runId, entry) => store.forward(runId, entry),
    peekForwarded: (runId) => store.peekForwarded(runId),
    popForwarded: (fence) => store.popForwarded(fence),
  };
}
