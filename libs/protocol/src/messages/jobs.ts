import { z } from 'zod';
import { intBetween, text } from '../fields.js';
import { ClientIdSchema, CountSchema, envelope, EpochMsSchema, KeySchema, RoundSchema, VersionSchema } from './base.js';

/** Where a trainer finds its client's DSR target: the run's targets blob and the client to pick. */
export const TargetRefSchema = z.object({
  targetsKey: KeySchema,
  clientId: ClientIdSchema,
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
});

/** Mean loss terms of the local training (SSD-SPEC.md's objective); terms of disabled losses are 0. */
export const LossTermsSchema = z.object({
  total: z.number(),
  align: z.number(),
  uniformity: z.number(),
  dsr: z.number(),
  pd: z.number(),
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
});

export type TargetRef = z.infer<typeof TargetRefSchema>;
export type TrainJob = z.infer<typeof TrainJobSchema>;
export type LossTerms = z.infer<typeof LossTermsSchema>;
export type UpdateReady = z.infer<typeof UpdateReadySchema>;
