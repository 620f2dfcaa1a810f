import { z } from 'zod';
import { RunConfigSchema } from './run-config.js';
import { ROUND_OUTCOMES, EvalMetricsSchema } from './messages/events.js';
import { LossTermsSchema, SiteMetricsSchema } from './messages/jobs.js';

/**
 * State records kept in Redis. The api creates a run record; from then on the aggregator is its
 * only writer (except `stopping`, which the api may set), and the only writer of round records.
 */
export const RUN_STATUSES = ['created', 'running', 'stopping', 'stopped', 'finished', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Round states of the round machine (libs/engine/src/round): open (jobs being published) ->
 * collecting -> aggregating (folding the accepted updates) -> evaluating (when the round is
 * evaluated) -> closed; or failed.
 */
export const ROUND_STATUSES = ['open', 'collecting', 'aggregating', 'evaluating', 'closed', 'failed'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

/** Statuses during which a round still takes or processes updates. */
export const ACTIVE_ROUND_STATUSES: readonly RoundStatus[] = ['open', 'collecting', 'aggregating', 'evaluating'];

export const RunRecordSchema = z.object({
  runId: z.string(),
  config: RunConfigSchema,
  status: z.enum(RUN_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** 0 before the first round. */
  currentRound: z.number().int().min(0),
  roundStatus: z.union([z.enum(ROUND_STATUSES), z.literal('none')]),
  globalVersion: z.number().int().min(0),
  /**
   * The round a `POST /v1/runs/:id/rounds` last asked for, written in the same atomic update
   * that accepted the request (see `decideRoundRequest`); absent until the first request.
   */
  requestedRound: z.number().int().min(0).optional(),
  error: z.string().optional(),
  /**
   * Transition counter: every write of the record increments it, and the round machine's driver
   * commits a transition only if the stored value is the one it read (absent = 0).
   */
  seq: z.number().int().min(0).optional(),
  /** Federated: the run's sites, resolved at start; a site's client id is its index here. */
  sites: z.array(z.string()).optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** A run as it is created (by the api, the simulator, or an aggregator given `run.start` directly): no round yet. */
export function newRunRecord(runId: string, config: RunRecord['config'], at: string): RunRecord {
  return { runId, config, status: 'created', createdAt: at, updatedAt: at, currentRound: 0, roundStatus: 'none', globalVersion: 0, seq: 0 };
}

export const AcceptedUpdateSchema = z.object({
  clientId: z.number().int().min(0),
  samples: z.number().int().min(0),
  updateKey: z.string(),
  trainSeconds: z.number().min(0),
  loss: LossTermsSchema,
  workerId: z.string(),
  /** Images trained on (epochs x shard, skipped batches excluded): samples per second = this / trainSeconds. */
  samplesProcessed: z.number().int().min(0).optional(),
  /** SHA-256 (hex) of the update blob as validated; the fold refuses bytes that do not match. */
  sha256: z.string().optional(),
  /** Federated: the site the broker authenticated as the sender, and what it measured. */
  site: z.string().optional(),
  siteMetrics: SiteMetricsSchema.optional(),
});
export type AcceptedUpdate = z.infer<typeof AcceptedUpdateSchema>;

export const RejectedUpdateSchema = z.object({
  clientId: z.number().int().min(0).nullable(),
  reason: z.string(),
  message: z.string().optional(),
});
export type RejectedUpdate = z.infer<typeof RejectedUpdateSchema>;

/**
 * A selected client whose job failed: the broker dead-lettered it (`reason` is its
 * `x-first-death-reason`: 'delivery_limit' after the configured attempts, 'rejected' when a
 * worker refused it). Such a client cannot report for the round.
 */
export const FailedClientSchema = z.object({
  clientId: z.number().int().min(0),
  reason: z.string(),
});
export type FailedClient = z.infer<typeof FailedClientSchema>;

export const RoundRecordSchema = z.object({
  runId: z.string(),
  round: z.number().int().min(1),
  status: z.enum(ROUND_STATUSES),
  selected: z.array(z.number().int().min(0)),
  /** Global version the round's jobs start from. */
  baseVersion: z.number().int().min(0),
  openedAt: z.string(),
  /** Epoch ms. */
  deadline: z.number(),
  /** Epoch ms when `minClients` was first reached; the round closes `graceMs` later. */
  minClientsReachedAt: z.number().optional(),
  accepted: z.array(AcceptedUpdateSchema),
  rejected: z.array(RejectedUpdateSchema),
  /** Selected clients whose job failed, ascending client id (optional: records stored before it lack it). */
  failed: z.array(FailedClientSchema).optional(),
  closedAt: z.string().optional(),
  outcome: z.enum(ROUND_OUTCOMES).optional(),
  globalVersion: z.number().int().min(0).optional(),
  metrics: EvalMetricsSchema.optional(),
});
export type RoundRecord = z.infer<typeof RoundRecordSchema>;

/** One row of a run's metrics history (one per closed round). */
export const MetricsRowSchema = z.object({
  round: z.number().int().min(1),
  globalVersion: z.number().int().min(0),
  outcome: z.enum(ROUND_OUTCOMES),
  accepted: z.number().int().min(0),
  rejected: z.number().int().min(0),
  durationMs: z.number().min(0),
  samples: z.number().int().min(0),
  loss: LossTermsSchema.nullable(),
  knnAccuracy: z.number().nullable(),
  uniformity: z.number().nullable(),
  effectiveRank: z.number().nullable(),
  interClientUniformity: z.number().nullable(),
  /** Clients whose updates were folded, ascending. */
  participants: z.array(z.number().int().min(0)).optional(),
  /** Selected clients whose job failed (dead-lettered by the broker), ascending. */
  failed: z.array(z.number().int().min(0)).optional(),
  /** Images trained per second of local training, over the round's accepted updates; null when unknown. */
  samplesPerSecond: z.number().min(0).nullable().optional(),
  /** Linear-probe accuracy when the round's evaluation trained a probe (final evaluation in simulate). */
  linearProbeAccuracy: z.number().nullable().optional(),
});
export type MetricsRow = z.infer<typeof MetricsRowSchema>;
