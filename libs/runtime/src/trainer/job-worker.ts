import type { TrainJob } from '@fedssd/protocol';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { JobContext, JobQueue, Subscription } from '@fedssd/transport';
import { JOB_OUTCOMES, type JobOutcome } from './handle-job.js';

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

/** What differs between the pool trainer and a site trainer; the job loop around it is shared. */
export interface JobWorkerParts {
  readonly jobs: JobQueue;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Handles one job and settles it; throwing requeues it (an AbortError quietly). */
  handle(job: TrainJob, ctx: JobContext, signal: AbortSignal): Promise<JobOutcome>;
  /** Before the first job (e.g. the first heartbeat). */
  onStart?(): Promise<void>;
  /** After the job in flight settled on close (e.g. free models). */
  onClose?(): void;
}

/**
 * One job at a time (prefetch 1), ack last; counts every outcome (all exported at 0 from the
 * start, so increase() sees a series before the first job). On close: stop intake, abort the
 * job at its next batch, wait for it.
 */
export function createJobWorker(parts: JobWorkerParts): Trainer {
  const abort = new AbortController();
  let state: TrainerState = 'idle';
  let subscription: Subscription | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;
  const count = (outcome: JobOutcome) => parts.metrics.jobsTotal.inc({ outcome });
  for (const outcome of JOB_OUTCOMES) parts.metrics.jobsTotal.inc({ outcome }, 0);

  const run = async (job: TrainJob, ctx: JobContext): Promise<void> => {
    if (state !== 'running') return ctx.nack(true);
    try {
      count(await parts.handle(job, ctx, abort.signal));
    } catch (error) {
      const aborted = (error as Error).name === 'AbortError';
      count(aborted ? 'aborted' : 'requeued');
      parts.logger[aborted ? 'info' : 'error'](
        { runId: job.runId, round: job.round, clientId: job.clientId, err: aborted ? undefined : error },
        aborted ? 'job aborted; back to the queue' : 'job failed; requeued',
      );
      await ctx.nack(true);
    }
  };

  return {
    get state() {
      return state;
    },
    async start() {
      if (state !== 'idle') throw new Error(`trainer cannot start from state ${state}`);
      state = 'running';
      await parts.onStart?.();
      subscription = await parts.jobs.consumeJobs(
        async (job, ctx) => {
          const work = run(job, ctx);
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
          parts.logger.warn({ err: error }, 'cancel failed');
        }
        abort.abort();
        await inFlight.catch(() => undefined);
        parts.onClose?.();
        state = 'closed';
      })()),
  };
}
