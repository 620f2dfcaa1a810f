import type {
  AcceptedUpdate,
  EvalMetrics,
  MessageInput,
  MetricsRow,
  RejectedUpdate,
  RoundOutcome,
  RoundRecord,
  RunRecord,
} from '@fedssd/protocol';

/** What the round machine works on: a run record and its current round (null before round 1). */
export interface RunState {
  readonly run: RunRecord;
  readonly round: RoundRecord | null;
}

/**
 * Inputs of the machine. The driver (the coordinator over Redis/RabbitMQ, or the same coordinator
 * over the in-memory transport in `fedssd simulate`) turns messages, timers and the results of
 * its effects into these; `at` (epoch ms) travels beside the event so the machine stays pure.
 */
export type RoundEvent =
  /** The run is prepared (model v0 and targets stored): created -> running. */
  | { readonly type: 'start' }
  /** A `round.start` command (manual advance). */
  | { readonly type: 'round-start'; readonly round: number }
  /** Every job of the round was confirmed by the broker. */
  | { readonly type: 'jobs-published'; readonly round: number }
  /** An update passed validation (the driver checked blob, shapes, norm; the machine re-checks the round). */
  | { readonly type: 'update-accepted'; readonly round: number; readonly update: AcceptedUpdate }
  /**
   * The broker dead-lettered the client's job (`reason`: its `x-first-death-reason`, e.g.
   * 'delivery_limit' after the configured attempts). The client cannot report this round.
   */
  | { readonly type: 'client-failed'; readonly round: number; readonly clientId: number; readonly reason: string }
  /** An update was refused; kept in the round record (bounded). */
  | { readonly type: 'update-rejected'; readonly round: number; readonly rejection: RejectedUpdate }
  /** A timer armed by `arm-timer` fired: the round's deadline or grace period may have passed. */
  | { readonly type: 'timer'; readonly round: number }
  /** `run.stop`: an open or collecting round closes with outcome 'stopped'; the run ends after it. */
  | { readonly type: 'stop' }
  /** The `aggregate` effect stored model `version`; `excluded` are accepted updates whose bytes changed since validation. */
  | { readonly type: 'aggregated'; readonly round: number; readonly version: number; readonly excluded?: readonly RejectedUpdate[] }
  /** The `evaluate` effect finished. */
  | { readonly type: 'evaluated'; readonly round: number; readonly metrics: EvalMetrics; readonly evalSeconds: number }
  /** A (re)started driver picks the run up: returns the effects the persisted state still owes. */
  | { readonly type: 'restart' }
  /** The run cannot continue (preparation failed, a round step kept failing). */
  | { readonly type: 'fail'; readonly reason: string };

/** Work the driver does after persisting a transition; each is safe to redo after a crash. */
export type RoundEffect =
  | {
      readonly type: 'publish-jobs';
      readonly round: number;
      readonly clients: readonly number[];
      readonly baseVersion: number;
      readonly deadline: number;
      readonly attempt: number;
    }
  /** Ask again with a `timer` event at epoch ms `at` (replaces the run's previous timer). */
  | { readonly type: 'arm-timer'; readonly round: number; readonly at: number }
  | { readonly type: 'clear-timers' }
  /** Fold `updates` (ascending client id) into model `baseVersion` and store version baseVersion + 1. */
  | { readonly type: 'aggregate'; readonly round: number; readonly baseVersion: number; readonly updates: readonly AcceptedUpdate[] }
  | { readonly type: 'evaluate'; readonly round: number; readonly version: number; readonly final: boolean }
  | { readonly type: 'emit'; readonly message: MessageInput }
  /** The round's update blobs are folded: let the store drop them. */
  | { readonly type: 'release-updates'; readonly round: number; readonly clients: readonly number[] }
  /** The run reached a final status: drop caches and per-run metric series. */
  | { readonly type: 'run-ended'; readonly status: 'finished' | 'stopped' | 'failed' };

/** What one event did. */
export interface Transition {
  readonly state: RunState;
  /** Records to persist atomically (null: nothing changed). `rounds` holds every round record written. */
  readonly writes: { readonly run: RunRecord; readonly rounds: readonly RoundRecord[]; readonly metricsRow?: MetricsRow } | null;
  readonly effects: readonly RoundEffect[];
  /** Why the event changed nothing (stale timer, closed round, duplicate...), for logs and rejections. */
  readonly ignored?: string;
}

/** Tunables of the machine. */
export interface MachineOptions {
  /** Rejections kept in a round record (counters still count all); default 500. */
  readonly maxRecordedRejections?: number;
  /** Clients a round opened by this transition may select (federated: the live sites); default all. */
  readonly population?: readonly number[];
}

export type { RoundOutcome };
