import { z } from 'zod';
import { intBetween, oneOf, text } from '../fields.js';
import { ModelSpecSchema } from '../model-spec.js';
import { DsrConfigSchema, MAX_SEED, METHODS, PdConfigSchema, WIRE_PRECISIONS } from '../run-config.js';
import { ClientIdSchema, CountSchema, envelope, EpochMsSchema, KeySchema, RoundSchema, VersionSchema } from './base.js';

/** Where a trainer finds its client's DSR target: the run's targets blob and the client to pick. */
export const TargetRefSchema = z.object({
  targetsKey: KeySchema,
  clientId: ClientIdSchema,
});

/**
 * Everything a federated site needs to train one job, since it may read no run or round record:
 * the method's losses, the optimiser settings (after the run's per-site overrides), the model
 * spec to build, and the training seed of this (round, client) — never the run's root seed,
 * from which every other site's target could be derived.
 */
export const TrainingSpecSchema = z.object({
  method: oneOf(METHODS),
  spec: ModelSpecSchema,
  localEpochs: intBetween(1, 1000),
  batchSize: intBetween(2, 65_536),
  lr: z.number().positive(),
  momentum: z.number().min(0).lt(1),
  weightDecay: z.number().min(0),
  uniformity: z.number().min(0),
  dsr: DsrConfigSchema,
  pd: PdConfigSchema,
  /** uint32 seed of this job's local training (augmentations, batch order). */
  trainSeed: intBetween(0, MAX_SEED),
  /** Encoding of the update delta (the run's `wirePrecision`); fp32 for jobs from before the field existed. */
  wirePrecision: oneOf(WIRE_PRECISIONS).default('fp32'),
});

/** aggregator -> trainer: train client `clientId` for `round` starting from global `globalVersion`. */
export const TrainJobSchema = z.object({
  ...envelope('train.job'),
  round: RoundSchema,
  clientId: ClientIdSchema,
  /** Version of the global model to start from; stored at `modelKey`. */
  globalVersion: VersionSchema,
  modelKey: KeySchema,
  /** DSR target of this client; null when the run's method has no DSR. */
  target: TargetRefSchema.nullable(),
  /** Epoch milliseconds after which the aggregator no longer accepts this update. */
  deadline: EpochMsSchema,
  /** 1 for the first publication; higher when the aggregator re-issues a job. */
  attempt: intBetween(1, 1000),
  /** Federated jobs only: the training settings (simulation trainers read the run record). */
  training: TrainingSpecSchema.optional(),
});

/** Mean loss terms of the local training (docs/METHOD.md §2); terms of disabled losses are 0. */
export const LossTermsSchema = z.object({
  total: z.number(),
  align: z.number(),
  uniformity: z.number(),
  dsr: z.number(),
  pd: z.number(),
});

/**
 * What a site reports about the global model it received, measured on its own images without
 * labels: uniformity (-U of normalised h), effective rank of h, and the share of its projector
 * embedding energy in its own DSR slice (null without DSR). Lets an operator see which site
 * collapses or drifts without the server seeing any image.
 */
export const SiteMetricsSchema = z.object({
  uniformity: z.number().nullable(),
  effectiveRank: z.number().nullable(),
  ownSliceEnergy: z.number().nullable(),
  /** Images the metrics were computed on (a bounded sample of the site's data). */
  images: CountSchema,
});

/** trainer -> aggregator: the update blob for (round, client) is in Redis at `updateKey`. */
export const UpdateReadySchema = z.object({
  ...envelope('update.ready'),
  round: RoundSchema,
  clientId: ClientIdSchema,
  /** Global version the update was trained from (the aggregator drops stale ones). */
  globalVersion: VersionSchema,
  updateKey: KeySchema,
  /** Local samples seen per epoch: the FedAvg weight. */
  samples: CountSchema,
  /** Wall-clock seconds of local training. */
  trainSeconds: z.number().min(0, { error: 'must be >= 0 seconds' }),
  loss: LossTermsSchema,
  workerId: text(128),
  /** Images trained on (epochs x shard, skipped batches excluded); for samples per second. */
  samplesProcessed: CountSchema.optional(),
  /** Federated: label-free metrics of the round's starting global model on the site's own images. */
  siteMetrics: SiteMetricsSchema.optional(),
});

export type TargetRef = z.infer<typeof TargetRefSchema>;
export type TrainJob = z.infer<typeof TrainJobSchema>;
export type LossTerms = z.infer<typeof LossTermsSchema>;
export type UpdateReady = z.infer<typeof UpdateReadySchema>;
export type TrainingSpec = z.infer<typeof TrainingSpecSchema>;
export type SiteMetrics = z.infer<typeof SiteMetricsSchema>;
