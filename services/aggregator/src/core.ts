import type { RoundRecord, RunConfig, RunRecord } from '@fedssd/protocol';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { BlobStore, EventBus, JobQueue, RunRepository } from '@fedssd/transport';
import type { Clock, Evaluator, ResolvedOptions } from './deps.js';
import type { KeyedLock } from './keyed-lock.js';
import type { RoundTimers } from './round-timers.js';
import type { RunContextCache } from './run-context.js';

/** The aggregator's internals, shared by the handlers in this folder (not exported from the package). */
export interface Core {
  readonly bus: EventBus;
  readonly jobs: JobQueue;
  readonly runs: RunRepository;
  readonly blobs: BlobStore;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly evaluate: Evaluator;
  readonly options: ResolvedOptions;
  readonly contexts: RunContextCache;
  readonly timers: RoundTimers;
  readonly lock: KeyedLock;
  /** Runs `fn` under the run's lock unless the aggregator is closing; errors are logged, not thrown (for timers). */
  schedule(runId: string, what: string, fn: () => Promise<void>): void;
  isoNow(): string;
  /**
   * Late-bound steps (wired in aggregator.ts) so the step modules do not import each other in a
   * cycle: arm a collecting round's deadline/grace timers, and open a round.
   */
  armTimers(record: RoundRecord, config: RunConfig): void;
  openRound(run: RunRecord, round: number, attempt?: number): Promise<void>;
}
