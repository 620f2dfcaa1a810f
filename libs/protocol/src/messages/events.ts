import { z } from 'zod';
import { oneOf, text } from '../fields.js';
import { ClientIdSchema, CountSchema, envelope, EpochMsSchema, RoundSchema, VersionSchema } from './base.js';

/**
 * Why a round closed: every selected client reported; every selected client either reported or
 * its job failed (the broker dead-lettered it, at least one did: `all-settled`); `minClients`
 * reported and the grace period passed; the round deadline passed; the run was stopped; or
 * aggregation failed.
 */
export const ROUND_OUTCOMES = ['all-reported', 'all-settled', 'min-clients', 'deadline', 'stopped', 'failed'] as const;
export type RoundOutcome = (typeof ROUND_OUTCOMES)[number];

/** aggregator -> everyone: round `round` is open and jobs were published for `selectedClients`. */
export const RoundOpenedSchema = z.object({
  ...envelope('round.opened'),
  round: RoundSchema,
  globalVersion: VersionSchema,
  selectedClients: z.array(ClientIdSchema).min(1, { error: 'must list at least one client' }),
  /** Epoch milliseconds of the round deadline. */
  deadline: EpochMsSchema,
});

/** aggregator -> everyone: round closed and (unless none was accepted) a new global version stored. */
export const RoundClosedSchema = z.object({
  ...envelope('round.closed'),
  round: RoundSchema,
  outcome: oneOf(ROUND_OUTCOMES),
  accepted: CountSchema,
  rejected: CountSchema,
  /** Rejections by reason label (e.g. 'non-finite', 'wrong-shape', 'duplicate'). */
  rejectedByReason: z.record(z.string(), CountSchema).default({}),
  /** Selected clients whose job failed (dead-lettered by the broker); absent before this field existed. */
  failed: CountSchema.optional(),
  /** Global version after this round (unchanged when nothing was accepted). */
  globalVersion: VersionSchema,
  durationMs: CountSchema,
});

/** The DSR mechanism check: share of each client's embedding energy in its own slice vs others'. */
export const SubspaceEnergySchema = z.object({
  meanOwn: z.number(),
  meanOthersPerSlice: z.number(),
  ratio: z.number(),
  perClient: z.array(z.object({ own: z.number(), others: z.number(), rest: z.number() })),
});

/**
 * Evaluation of a global version (the one home of this concept: the engine computes it, round
 * records and events carry it, telemetry exports it). null where a metric could not be computed
 * or was not asked for (the linear probe runs only in a final evaluation that asks for it).
 */
export const EvalMetricsSchema = z.object({
  knnAccuracy: z.number().nullable(),
  uniformity: z.number().nullable(),
  effectiveRank: z.number().nullable(),
  interClientUniformity: z.number().nullable(),
  subspaceEnergy: SubspaceEnergySchema.nullable().optional(),
  linearProbeAccuracy: z.number().nullable().optional(),
});

/** aggregator -> everyone: metrics of the global model after `round`. */
export const RoundEvaluatedSchema = z.object({
  ...envelope('round.evaluated'),
  round: RoundSchema,
  globalVersion: VersionSchema,
  metrics: EvalMetricsSchema,
  evalSeconds: z.number().min(0, { error: 'must be >= 0 seconds' }),
});

/** aggregator -> everyone: the run completed all its rounds (or was stopped). */
export const RunFinishedSchema = z.object({
  ...envelope('run.finished'),
  roundsCompleted: CountSchema,
  globalVersion: VersionSchema,
  stopped: z.boolean().default(false),
  finishedAt: EpochMsSchema.optional(),
});

/** aggregator -> everyone: the run cannot continue. */
export const RunFailedSchema = z.object({
  ...envelope('run.failed'),
  round: RoundSchema.optional(),
  reason: text(2048),
});

export type RoundOpened = z.infer<typeof RoundOpenedSchema>;
export type RoundClosed = z.infer<typeof RoundClosedSchema>;
export type EvalMetrics = z.infer<typeof EvalMetricsSchema>;
export type SubspaceEnergySummary = z.infer<typeof SubspaceEnergySchema>;
export type RoundEvaluated = z.infer<typeof RoundEvaluatedSchema>;
export type RunFinished = z.infer<typeof RunFinishedSchema>;
export type RunFailed = z.infer<typeof RunFailedSchema>;
export type RunEvent = RoundOpened | RoundClosed | RoundEvaluated | RunFinished | RunFailed;
