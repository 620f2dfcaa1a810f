import type { DataLoader } from '@fedssd/engine';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { BlobStore, EventBus, JobQueue, RunRepository } from '@fedssd/transport';
import { handleJob, type JobProgress } from './handle-job.js';
import { createJobWorker, type Trainer } from './job-worker.js';
import { createRunCache } from './run-cache.js';

export type { Trainer, TrainerState } from './job-worker.js';

export interface TrainerDeps {
  readonly jobs: JobQueue;
  readonly bus: EventBus;
  readonly runs: RunRepository;
  readonly blobs: BlobStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly loadData: DataLoader;
  /** Shown in update-ready messages and logs; e.g. `${hostname}-${pid}`. */
  readonly workerId: string;
  /** Prepared runs kept in memory; default 2. */
  readonly runCacheSize?: number;
  /** Called after every local training step (the simulator's progress bar). */
  readonly onProgress?: (progress: JobProgress) => void;
}

/** A stateless simulation-mode training worker: any client of any run, from the pool job queue. */
export function createTrainer(deps: TrainerDeps): Trainer {
  const cache = createRunCache(deps.loadData, deps.runCacheSize ?? 2);
  return createJobWorker({
    jobs: deps.jobs,
    logger: deps.logger,
    metrics: deps.metrics,
    handle: (job, ctx, signal) => handleJob({ ...deps, cache, signal }, job, ctx),
    onClose: () => cache.clear(),
  });
}
