import type { EvalMetrics } from '@fedssd/engine';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { Weights } from '@fedssd/tensor';
import type { BlobStore, EventBus, JobQueue, RunRepository } from '@fedssd/transport';
import type { DataLoader } from '@fedssd/engine';
import type { RunContext } from './run-context.js';

/** Wall clock and timers, injected so tests can drive deadlines by hand. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Evaluates a global model of a run (kNN, uniformity, effective rank, inter-client uniformity). */
export type Evaluator = (weights: Weights, context: RunContext) => Promise<EvalMetrics>;

/** Everything the aggregator talks to; `main.ts` wires the real adapters, tests the fakes. */
export interface AggregatorDeps {
  readonly bus: EventBus;
  readonly jobs: JobQueue;
  readonly runs: RunRepository;
  readonly blobs: BlobStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
  readonly loadData: DataLoader;
  /** Default: engine `evaluateModel` on the run's held-out test split (see {@link createEngineEvaluator}). */
  readonly evaluate?: Evaluator;
  readonly options?: AggregatorOptions;
}

/** Tunables; every field has a default. */
export interface AggregatorOptions {
  /** Test images used for server-side evaluation; default 1000. */
  readonly evalTestLimit?: number;
  /** TTL set on a round's update blobs once the round is aggregated, in seconds; default 3600. */
  readonly updateTtlSeconds?: number;
  /** Images per client for inter-client uniformity (as simulate's `perClientEvalLimit`); default 200. */
  readonly perClientEvalLimit?: number;
  /** Delay before retrying a round close that failed (e.g. Redis unavailable), in ms; default 2000. */
  readonly closeRetryMs?: number;
  /** Close attempts before the round and run are marked failed; default 5. */
  readonly maxCloseAttempts?: number;
  /** Rejections kept in a round record (the counter still counts every one); default 500. */
  readonly maxRecordedRejections?: number;
}

export function resolveOptions(options: AggregatorOptions = {}) {
  return {
    evalTestLimit: options.evalTestLimit ?? 1000,
    updateTtlSeconds: options.updateTtlSeconds ?? 3600,
    perClientEvalLimit: options.perClientEvalLimit ?? 200,
    closeRetryMs: options.closeRetryMs ?? 2000,
    maxCloseAttempts: options.maxCloseAttempts ?? 5,
    maxRecordedRejections: options.maxRecordedRejections ?? 500,
  };
}
export type ResolvedOptions = ReturnType<typeof resolveOptions>;
