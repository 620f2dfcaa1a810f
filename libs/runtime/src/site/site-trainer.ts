import { MESSAGE_VERSION, type SiteMessageInput } from '@fedssd/protocol';
import type { ImageShard } from '@fedssd/engine';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { BlobStore, JobQueue, Subscription } from '@fedssd/transport';
import { JOB_OUTCOMES, type JobOutcome, type JobProgress } from '../trainer/handle-job.js';
import type { Trainer, TrainerState } from '../trainer/trainer.js';
import { createModelCache, handleSiteJob } from './handle-site-job.js';

export interface SiteTrainerDeps {
  readonly site: string;
  readonly data: ImageShard;
  /** The site's own job queue (its broker user may read nothing else). */
  readonly jobs: JobQueue;
  readonly blobs: BlobStore;
  publish(message: SiteMessageInput): Promise<void>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Backend name and software version, reported in heartbeats. */
  readonly backend: string;
  readonly softwareVersion: string;
  /** Heartbeat interval in ms; default 10000. */
  readonly heartbeatMs?: number;
  readonly onProgress?: (progress: JobProgress) => void;
}

/**
 * A site-bound trainer (federated mode): trains only its own site's jobs on its own images,
 * announces liveness with a heartbeat, and shares nothing but weight deltas, its sample count and
 * label-free metrics. Same lifecycle as the pool trainer: idle -> running -> closing -> closed.
 */
export function createSiteTrainer(deps: SiteTrainerDeps): Trainer {
  const abort = new AbortController();
  const models = createModelCache();
  let state: TrainerState = 'idle';
  let subscription: Subscription | undefined;
  let beat: ReturnType<typeof setInterval> | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;
  const count = (outcome: JobOutcome) => deps.metrics.jobsTotal.inc({ outcome });
  for (const outcome of JOB_OUTCOMES) deps.metrics.jobsTotal.inc({ outcome }, 0);
  const heartbeat = () =>
    deps
      .publish({
        type: 'site.heartbeat',
        version: MESSAGE_VERSION,
        samples: deps.data.count,
        backend: deps.backend,
        softwareVersion: deps.softwareVersion,
        sentAt: Date.now(),
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'heartbeat not delivered'));

  return {
    get state() {
      return state;
    },
    async start() {
      if (state !== 'idle') throw new Error(`site trainer cannot start from state ${state}`);
      state = 'running';
      await heartbeat();
      beat = setInterval(() => void heartbeat(), deps.heartbeatMs ?? 10_000);
      beat.unref();
      subscription = await deps.jobs.consumeJobs(
        async (job, ctx) => {
          const work = (async () => {
            if (state !== 'running') return ctx.nack(true);
            try {
              count(await handleSiteJob({ ...deps, signal: abort.signal, model: (t) => models.get(t) }, job, ctx));
            } catch (error) {
              const aborted = (error as Error).name === 'AbortError';
              count(aborted ? 'aborted' : 'requeued');
              deps.logger[aborted ? 'info' : 'error'](
                { runId: job.runId, round: job.round, site: deps.site, err: aborted ? undefined : error },
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
        if (beat) clearInterval(beat);
        try {
          await subscription?.cancel();
        } catch (error) {
          deps.logger.warn({ err: error }, 'cancel failed');
        }
        abort.abort();
        await inFlight.catch(() => undefined);
        models.clear();
        state = 'closed';
      })()),
  };
}
