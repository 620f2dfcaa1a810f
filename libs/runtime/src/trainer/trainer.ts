import type { DataLoader } from '@fedssd/engine';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { BlobStore, EventBus, JobQueue, RunRepository, Subscription } from '@fedssd/transport';
import { handleJob, JOB_OUTCOMES, type JobOutcome, type JobProgress } from './handle-job.js';
import { createRunCache } from './run-cache.js';

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

/** Explicit worker states: idle -> running -> closing -> closed. */
export type TrainerState = 'idle' | 'running' | 'closing' | 'closed';

export interface Trainer {
  start(): Promise<void>;
  /**
   * Idempotent, ordered: stop taking jobs, abort the job in flight at its next batch (it goes
   * back to the queue), wait for the handler to return. Connections are the caller's to close.
   */
  close(): Promise<void>;
  readonly state: TrainerState;
  /** Resolves when the job in flight (if any) has settled; for tests. */
  idle(): Promise<void>;
}

/** A stateless training worker: one job at a time (prefetch 1), ack last. */
export function createTrainer(deps: TrainerDeps): Trainer {
  const abort = new AbortController();
  const cache = createRunCache(deps.loadData, deps.runCacheSize ?? 2);
  let state: TrainerState = 'idle';
  let subscription: Subscription | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;
  const count = (outcome: JobOutcome) => deps.metrics.jobsTotal.inc({ outcome });
  // Every outcome exported at 0 from the start, so increase() sees a series before the first job.
  for (const outcome of JOB_OUTCOMES) deps.metrics.jobsTotal.inc({ outcome }, 0);

  return {
    get state() {
      return state;
    },
    async start() {
      if (state !== 'idle') throw new Error(`trainer cannot start from state ${state}`);
      state = 'running';
      subscription = await deps.jobs.consumeJobs(
        async (job, ctx) => {
          const work = (async () => {
            if (state !== 'running') {
              await ctx.nack(true);
              return;
            }
            try {
              count(await handleJob({ ...deps, cache, signal: abort.signal }, job, ctx));
            } catch (error) {
              const aborted = (error as Error).name === 'AbortError';
              count(aborted ? 'aborted' : 'requeued');
              deps.logger[aborted ? 'info' : 'error'](
                { runId: job.runId, round: job.round, clientId: job.clientId, err: aborted ? undefined : error },
                aborted ? 'job aborted; back to the queue' : 'job failed; requeued',
              );
              await ctx.nack(true);
            }
          })();
          inFlight = work;
          await work;
        },
        { prefetch: 1 },
      );
    },
    idle: () =>
      inFlight.then(
        () => undefined,
        () => undefined,
      ),
    close: () =>
      (closing ??= (async () => {
        state = 'closing';
        try {
          await subscription?.cancel();
        } catch (error) {
          deps.logger.warn({ err: error }, 'cancel failed');
        }
        abort.abort();
        await inFlight.catch(() => undefined);
        cache.clear();
        state = 'closed';
      })()),
  };
}
