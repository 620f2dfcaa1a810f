import { decodeTargets, type DataLoader } from '@fedssd/engine';
import { runClientUpdate, trainingFor } from '@fedssd/engine';
import { targetFor, type SsdTargets } from '@fedssd/fedavg';
import { updateKey, type TrainJob } from '@fedssd/protocol';
import type { Logger, Metrics } from '@fedssd/telemetry';
import { decodeWeights } from '@fedssd/tensor';
import type { BlobStore, EventBus, JobContext, RunRepository } from '@fedssd/transport';
import { announceUpdate } from './announce-update.js';
import type { RunCache } from './run-cache.js';

export interface JobDeps {
  readonly bus: EventBus;
  readonly runs: RunRepository;
  readonly blobs: BlobStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly cache: RunCache;
  readonly workerId: string;
  /** Aborted on shutdown: training stops at the next batch and the job goes back to the queue. */
  readonly signal: AbortSignal;
  /** Called after every local training step (the simulator's progress bar). */
  readonly onProgress?: (progress: JobProgress) => void;
}

/** Where a job's local training is: epoch, step within it, and the step's loss. */
export interface JobProgress {
  readonly runId: string;
  readonly round: number;
  readonly clientId: number;
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly loss: number;
}
export type { DataLoader };

/** Outcome labels of `fedssd_jobs_total` ('malformed': dead-lettered before reaching a handler). */
export const JOB_OUTCOMES = ['completed', 'stale', 'failed', 'aborted', 'requeued', 'malformed'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/**
 * One training job: drop it when its run or round moved on; otherwise train the client on its
 * shard from the named global version, write the delta NX, announce it, and ack last. A crash
 * anywhere before the ack makes the broker redeliver the job; the NX write and the aggregator's
 * duplicate check make the second attempt harmless.
 */
export async function handleJob(deps: JobDeps, job: TrainJob, ctx: JobContext): Promise<JobOutcome> {
  const log = deps.logger.child({ runId: job.runId, round: job.round, clientId: job.clientId });
  const run = await deps.runs.getRun(job.runId);
  const round = run === null ? null : await deps.runs.getRound(job.runId, job.round);
  const stale =
    run === null
      ? 'unknown run'
      : run.status !== 'running'
        ? `run is ${run.status}`
        : round === null || run.currentRound !== job.round
          ? `round ${job.round} is not current`
          : round.status !== 'open' && round.status !== 'collecting'
            ? `round is ${round.status}`
            : round.baseVersion !== job.globalVersion
              ? `round starts from v${round.baseVersion}`
              : round.accepted.some((a) => a.clientId === job.clientId)
                ? 'update already accepted'
                : round.failed?.some((f) => f.clientId === job.clientId)
                  ? "the client's job already failed this round"
                  : undefined;
  if (stale !== undefined || run === null) {
    log.info({ why: stale }, 'stale job dropped');
    await ctx.ack();
    return 'stale';
  }
  // Which job a worker holds, for operators (and fault tests) following one client's attempts.
  log.info({ attempt: job.attempt, redelivered: ctx.redelivered }, 'job started');
  const modelBytes = await deps.blobs.getBlob(job.modelKey);
  let targets: SsdTargets | undefined;
  if (job.target !== null) {
    const bytes = await deps.blobs.getBlob(job.target.targetsKey);
    targets = bytes === null ? undefined : decodeTargets(bytes);
  }
  if (modelBytes === null || (job.target !== null && targets === undefined)) {
    // The aggregator writes both before publishing jobs: missing ones will not appear by retrying.
    log.error({ modelKey: job.modelKey, targets: job.target?.targetsKey }, 'job inputs missing; dead-lettering');
    await ctx.nack(false);
    return 'failed';
  }
  const entry = await deps.cache.get(run);
  const shard = entry.prepared.shards[job.clientId];
  if (shard === undefined) {
    log.error({ clients: entry.prepared.shards.length }, 'client has no shard; dead-lettering');
    await ctx.nack(false);
    return 'failed';
  }
  const global = decodeWeights(modelBytes);
  const onProgress = deps.onProgress;
  const training = trainingFor(run.config, entry.prepared.spec, job.round, job.clientId);
  const update = await runClientUpdate(
    entry.model,
    training,
    {
      round: job.round,
      clientId: job.clientId,
      global,
      shard,
      ...(targets ? { target: targetFor(targets, job.clientId) } : {}),
    },
    {
      signal: deps.signal,
      ...(onProgress ? { onProgress: (p) => onProgress({ runId: job.runId, round: job.round, clientId: job.clientId, ...p }) } : {}),
    },
  );
  return announceUpdate({
    job,
    update,
    wirePrecision: training.wirePrecision,
    key: updateKey(job.runId, job.round, job.clientId),
    workerId: deps.workerId,
    sentAt: Date.now(),
    blobs: deps.blobs,
    publish: (message) => deps.bus.publish(message),
    ctx,
    metrics: deps.metrics,
    log,
  });
}
