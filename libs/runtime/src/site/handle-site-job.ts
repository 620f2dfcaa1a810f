import { decodeTargets, measureSiteMetrics, runClientUpdate, type ImageShard } from '@fedssd/engine';
import { targetFor } from '@fedssd/fedavg';
import { siteUpdateKey, type SiteMessageInput, type TrainJob } from '@fedssd/protocol';
import { createModel, type SslModel } from '@fedssd/ssl';
import type { Logger, Metrics } from '@fedssd/telemetry';
import { decodeWeights } from '@fedssd/tensor';
import type { BlobStore, JobContext } from '@fedssd/transport';
import { announceUpdate } from '../trainer/announce-update.js';
import type { JobOutcome, JobProgress } from '../trainer/handle-job.js';

export interface SiteJobDeps {
  /** This site's name; its updates are written under its own keys, which only it may write. */
  readonly site: string;
  /** The site's own images; they never leave this process. */
  readonly data: ImageShard;
  /** The site's Redis (its ACL user: read models and its own target, write its own update keys). */
  readonly blobs: BlobStore;
  /** Publishes on the site-updates exchange as this site (the broker stamps and checks the user). */
  publish(message: SiteMessageInput): Promise<void>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  readonly onProgress?: (progress: JobProgress) => void;
  /** One model per spec, trained in place between jobs. */
  model(spec: TrainJob['training'] & object): SslModel;
}

/**
 * One federated job at a site: everything comes from the job and the two keys it names (the
 * global model, the site's own target), since a site may read no run or round record. Measures
 * the received global model on the site's images without labels, trains, writes the delta NX
 * under the site's own key, announces it, and acks last. A job past its deadline is dropped.
 */
export async function handleSiteJob(deps: SiteJobDeps, job: TrainJob, ctx: JobContext): Promise<JobOutcome> {
  const log = deps.logger.child({ runId: job.runId, round: job.round, site: deps.site });
  const now = deps.now ?? Date.now;
  const training = job.training;
  if (training === undefined) {
    log.error('job carries no training settings: not a federated job; dead-lettering');
    await ctx.nack(false);
    return 'failed';
  }
  if (now() > job.deadline) {
    log.info({ deadline: job.deadline }, 'job past its deadline dropped');
    await ctx.ack();
    return 'stale';
  }
  const modelBytes = await deps.blobs.getBlob(job.modelKey);
  const targetBytes = job.target === null ? null : await deps.blobs.getBlob(job.target.targetsKey);
  if (modelBytes === null || (job.target !== null && targetBytes === null)) {
    log.error({ modelKey: job.modelKey, target: job.target?.targetsKey }, 'job inputs missing or not readable; dead-lettering');
    await ctx.nack(false);
    return 'failed';
  }
  const target = job.target !== null && targetBytes !== null ? targetFor(decodeTargets(targetBytes), job.target.clientId) : undefined;
  const model = deps.model(training);
  const global = decodeWeights(modelBytes);
  const siteMetrics = await measureSiteMetrics(
    model,
    global,
    deps.data,
    target === undefined ? undefined : { ...target, form: training.dsr.form },
  );
  const onProgress = deps.onProgress;
  const update = await runClientUpdate(
    model,
    training,
    { round: job.round, clientId: job.clientId, global, shard: deps.data, ...(target ? { target } : {}) },
    {
      signal: deps.signal,
      ...(onProgress ? { onProgress: (p) => onProgress({ runId: job.runId, round: job.round, clientId: job.clientId, ...p }) } : {}),
    },
  );
  return announceUpdate({
    job,
    update,
    wirePrecision: training.wirePrecision,
    key: siteUpdateKey(job.runId, deps.site, job.round),
    workerId: deps.site,
    sentAt: now(),
    siteMetrics,
    blobs: deps.blobs,
    publish: (message) => deps.publish(message),
    ctx,
    metrics: deps.metrics,
    log,
  });
}

/** A small cache of models by spec (a site usually trains one architecture). */
export function createModelCache(): { get(training: NonNullable<TrainJob['training']>): SslModel; clear(): void } {
  const models = new Map<string, SslModel>();
  return {
    get(training) {
      const key = JSON.stringify(training.spec);
      let model = models.get(key);
      if (model === undefined) {
        for (const old of models.values()) old.dispose();
        models.clear();
        model = createModel({ ...training.spec, inputShape: [...training.spec.inputShape] as [number, number, number] }, 0);
        models.set(key, model);
      }
      return model;
    },
    clear() {
      for (const m of models.values()) m.dispose();
      models.clear();
    },
  };
}
