import { MESSAGE_VERSION, type SiteMessageInput } from '@fedssd/protocol';
import type { ImageShard } from '@fedssd/engine';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { BlobStore, JobQueue } from '@fedssd/transport';
import type { JobProgress } from '../trainer/handle-job.js';
import { createJobWorker, type Trainer } from '../trainer/job-worker.js';
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
  const models = createModelCache();
  let beat: ReturnType<typeof setInterval> | undefined;
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
  return createJobWorker({
    jobs: deps.jobs,
    logger: deps.logger,
    metrics: deps.metrics,
    handle: (job, ctx, signal) => handleSiteJob({ ...deps, signal, model: (t) => models.get(t) }, job, ctx),
    async onStart() {
      await heartbeat();
      beat = setInterval(() => void heartbeat(), deps.heartbeatMs ?? 10_000);
      beat.unref();
    },
    onClose() {
      if (beat) clearInterval(beat);
      models.clear();
    },
  });
}
