import type { DataLoader } from '@fedssd/engine';
import type { EvalMetrics, SiteMessage, TrainJob } from '@fedssd/protocol';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { Weights } from '@fedssd/tensor';
import type {
  BlobStore,
  EventBus,
  JobQueue,
  LeaseKeeper,
  RunOwnershipStore,
  RunRepository,
  SiteMessageHandler,
  StateStore,
  Subscription,
} from '@fedssd/transport';
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

/** What an evaluation is for: the round, and whether it is the run's last (final report). */
export interface EvaluationRequest {
  readonly round: number;
  readonly final: boolean;
}

/** Evaluates a global model of a run (kNN, uniformity, effective rank, inter-client uniformity, ...). */
export type Evaluator = (weights: Weights, context: RunContext, request: EvaluationRequest) => Promise<EvalMetrics>;

/** Federated mode: delivers a job to one site's own queue (RabbitMQ: the site-jobs exchange). */
export interface SiteJobPublisher {
  publishSiteJob(site: string, job: TrainJob): Promise<void>;
}

/** Federated mode: the sites' update notices and heartbeats, each attributed to the site the broker authenticated. */
export interface SiteMessageSource {
  subscribe(handler: SiteMessageHandler): Promise<Subscription>;
}

/** What federated mode needs besides the simulation ports; absent, federated runs fail at start with a clear reason. */
export interface FederationDeps {
  readonly siteJobs: SiteJobPublisher;
  readonly siteMessages: SiteMessageSource;
  /** Where site enrolment records and liveness live (the deployment's Redis, under its prefix). */
  readonly state: StateStore;
  /** A site is live while its last heartbeat is younger than this, in ms; default 30000. */
  readonly livenessMs?: number;
}

export type { SiteMessage };

/** Everything the aggregator talks to; `main.ts` wires the real adapters, tests and `simulate` the fakes. */
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
  /** Federated mode (site queues, attributed site messages, site records); absent in simulation-only set-ups. */
  readonly federation?: FederationDeps;
  /**
   * Several replicas: runs are split through leases in `store`, renewed by `keeper`, and every
   * write is fenced. Absent (simulate, a single replica): this aggregator owns every run.
   */
  readonly replicas?: ReplicaDeps;
}

/** What an aggregator replica needs to share runs with others. */
export interface ReplicaDeps {
  readonly store: RunOwnershipStore;
  readonly keeper: LeaseKeeper;
  /** Unique per process, e.g. `${hostname}-${pid}-${random}`. */
  readonly replicaId: string;
  /** Lease time, in ms: a dead or paused replica's runs are taken over this long after its last renewal; default 5000. */
  readonly leaseMs?: number;
  /** How often a replica looks for runs nobody holds, in ms; default 1000. */
  readonly scanMs?: number;
  /** How often an owner reads its runs' inboxes (inputs other replicas received), in ms; default 200. */
  readonly inboxPollMs?: number;
}

/** Tunables; every field has a default. */
export interface AggregatorOptions {
  /** Test images used for server-side evaluation; default 1000. */
  readonly evalTestLimit?: number;
  /** TTL set on a round's update blobs once the round is aggregated, in seconds; default 3600. */
  readonly updateTtlSeconds?: number;
  /** Images per client for inter-client uniformity (as simulate's `perClientEvalLimit`); default 200. */
  readonly perClientEvalLimit?: number;
  /** Delay before retrying a round step that failed (e.g. Redis unavailable), in ms; default 2000. */
  readonly closeRetryMs?: number;
  /** Attempts at a failing round step before the round and run are marked failed; default 5. */
  readonly maxCloseAttempts?: number;
  /** Rejections kept in a round record (the counter still counts every one); default 500. */
  readonly maxRecordedRejections?: number;
  /**
   * How long a finished run's per-run gauges stay on /metrics before they are removed, in ms, so
   * Prometheus scrapes the final values first; default 600000 (10 min).
   */
  readonly forgetRunAfterMs?: number;
  /**
   * Updates folded on arrival between two fold checkpoints (round-fold.ts): Redis keeps at most
   * this many folded blobs besides the checkpoint (3x an fp32 update); default 8.
   */
  readonly foldCheckpointEvery?: number;
}

export function resolveOptions(options: AggregatorOptions = {}) {
  return {
    evalTestLimit: options.evalTestLimit ?? 1000,
    updateTtlSeconds: options.updateTtlSeconds ?? 3600,
    perClientEvalLimit: options.perClientEvalLimit ?? 200,
    closeRetryMs: options.closeRetryMs ?? 2000,
    maxCloseAttempts: options.maxCloseAttempts ?? 5,
    maxRecordedRejections: options.maxRecordedRejections ?? 500,
    forgetRunAfterMs: options.forgetRunAfterMs ?? 600_000,
    foldCheckpointEvery: options.foldCheckpointEvery ?? 8,
  };
}
export type ResolvedOptions = ReturnType<typeof resolveOptions>;
