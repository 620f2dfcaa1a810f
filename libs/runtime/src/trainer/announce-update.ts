import type { runClientUpdate } from '@fedssd/engine';
import { MESSAGE_VERSION, type SiteMetrics, type TrainJob, type UpdateReady, type WirePrecision } from '@fedssd/protocol';
import type { Logger, Metrics } from '@fedssd/telemetry';
import { encodeWeights } from '@fedssd/tensor';
import type { BlobStore, JobContext } from '@fedssd/transport';

type ClientUpdate = Awaited<ReturnType<typeof runClientUpdate>>;

/** What a finished job hands back: where its delta goes, who sends it and how the notice travels. */
export interface Announcement {
  readonly job: TrainJob;
  readonly update: ClientUpdate;
  /** The run's wire precision; the aggregator checks the blob's dtype against it. */
  readonly wirePrecision: WirePrecision;
  /** The update's key: the pool's per-client key, or a site's own key (the only one it may write). */
  readonly key: string;
  /** The pool trainer's id, or the site's name (the aggregator attributes site updates by the broker's user). */
  readonly workerId: string;
  readonly sentAt: number;
  /** Federated mode: label-free metrics of the global model on the site's images. */
  readonly siteMetrics?: SiteMetrics;
  readonly blobs: BlobStore;
  publish(message: UpdateReady): Promise<void>;
  readonly ctx: JobContext;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/**
 * The one way a trained delta leaves a trainer (pool or site): written NX (a redelivered job
 * announces the blob its earlier attempt wrote, so the bytes never change after validation),
 * announced with `update.ready`, and the job acked last, so a crash before the ack redoes it.
 */
export async function announceUpdate(a: Announcement): Promise<'completed'> {
  const { job, update } = a;
  const bytes = encodeWeights(update.delta, { dtype: a.wirePrecision });
  if (!(await a.blobs.putBlob(a.key, bytes, { nx: true })))
    a.log.info({ key: a.key }, 'update blob already written by an earlier attempt; announcing it');
  await a.publish({
    type: 'update.ready',
    version: MESSAGE_VERSION,
    runId: job.runId,
    sentAt: a.sentAt,
    round: job.round,
    clientId: job.clientId,
    globalVersion: job.globalVersion,
    updateKey: a.key,
    samples: update.samples,
    trainSeconds: update.train.seconds,
    loss: { ...update.train.loss },
    workerId: a.workerId,
    samplesProcessed: update.train.samples,
    ...(a.siteMetrics !== undefined ? { siteMetrics: a.siteMetrics } : {}),
  });
  await a.ctx.ack();
  a.metrics.localTrainingSeconds.observe(update.train.seconds);
  a.metrics.trainingSamplesPerSecond.set(update.train.samplesPerSecond);
  a.metrics.updateBytes.observe(bytes.length);
  a.log.info(
    {
      samples: update.samples,
      seconds: update.train.seconds,
      loss: update.train.loss.total,
      redelivered: a.ctx.redelivered,
      ...a.siteMetrics,
    },
    'update published',
  );
  return 'completed';
}
