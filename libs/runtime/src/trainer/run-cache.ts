import { partitionRun, type PartitionedRun } from '@fedssd/engine';
import type { RunRecord } from '@fedssd/protocol';
import { createModel, type SslModel } from '@fedssd/ssl';
import type { DataLoader } from '@fedssd/engine';

/**
 * What a simulation-mode trainer keeps per run between jobs: the partitioned shards (the SSD
 * targets are not derived here: they come from the store, written once by the aggregator) and
 * one model to train in place.
 */
export interface RunEntry {
  readonly runId: string;
  readonly prepared: PartitionedRun;
  /** Reused across jobs: `runClientUpdate` loads the job's global weights into it first. */
  readonly model: SslModel;
}

/**
 * A small LRU of prepared runs (default 2): loading and partitioning the data set is the slow
 * part of a first job, and every job of a run needs the same result. Evicted runs free their model.
 */
export function createRunCache(loadData: DataLoader, capacity = 2) {
  const entries = new Map<string, Promise<RunEntry>>();
  const dispose = (entry: Promise<RunEntry>) =>
    void entry.then(
      (e) => e.model.dispose(),
      () => undefined,
    );
  return {
    get(run: RunRecord): Promise<RunEntry> {
      let entry = entries.get(run.runId);
      if (entry) {
        entries.delete(run.runId); // re-insert: most recently used last
      } else {
        entry = (async () => {
          const train = await loadData(run.config, 'train', run.config.trainLimit);
          const prepared = partitionRun(run.config, train);
          return { runId: run.runId, prepared, model: createModel(prepared.spec, 0) };
        })();
        entry.catch(() => entries.delete(run.runId));
      }
      entries.set(run.runId, entry);
      while (entries.size > capacity) {
        const [oldest, evicted] = entries.entries().next().value as [string, Promise<RunEntry>];
        entries.delete(oldest);
        dispose(evicted);
      }
      return entry;
    },
    clear(): void {
      for (const entry of entries.values()) dispose(entry);
      entries.clear();
    },
  };
}
export type RunCache = ReturnType<typeof createRunCache>;
