import type { Message, MessageInput, TrainJob } from '@fedssd/protocol';

/**
 * Small ports: only what the api, aggregator and trainer use. Adapters: RabbitMQ (`Amqp*`),
 * Redis (`Redis*`), and in-memory fakes (`InMemory*`) that pass the same conformance suite.
 */

/** A live consumer. `cancel()` stops deliveries; unsettled messages go back to their queue. */
export interface Subscription {
  cancel(): Promise<void>;
}

/** Settles one delivered job. Settling twice, or after the subscription ended, is a no-op. */
export interface JobContext {
  /** True when the broker delivered this job before (a worker died or gave it back). */
  readonly redelivered: boolean;
  ack(): Promise<void>;
  /** `requeue` true: back to the queue for another worker; false: to the dead-letter queue. */
  nack(requeue: boolean): Promise<void>;
}

/**
 * Called once per delivered job. The handler settles it through `ctx` (the trainer acks last).
 * If the handler throws before settling, the job is requeued. Jobs that fail validation never
 * reach a handler: they are dead-lettered.
 */
export type JobHandler = (job: TrainJob, ctx: JobContext) => Promise<void>;

export interface ConsumeOptions {
  /** Unacknowledged jobs a consumer may hold; default 1 (one job per trainer at a time). */
  prefetch?: number;
}

/**
 * A training job the broker dead-lettered: delivered as often as the jobs queue allows
 * (`delivery_limit`: workers kept crashing on it, shutting down with it, or throwing) or
 * rejected without requeue by a worker (`rejected`). What the broker wrote in the dead letter's
 * headers, never what a worker says.
 */
export interface JobFailure {
  readonly job: TrainJob;
  /** The broker's `x-first-death-reason`: 'delivery_limit', 'rejected', 'expired', ... */
  readonly reason: string;
  /** The queue the job died in (`x-first-death-queue`). */
  readonly queue: string;
}

/** Called once per dead-lettered job; resolving settles it, throwing hands it back for another attempt. */
export type JobFailureHandler = (failure: JobFailure) => Promise<void>;

/** Work queue of training jobs: durable, persistent, manual acks, a delivery limit. */
export interface JobQueue {
  /** Resolves once the broker confirmed the job is stored. Throws `InvalidMessageError` for an invalid job. */
  publishJob(job: TrainJob): Promise<void>;
  consumeJobs(handler: JobHandler, opts?: ConsumeOptions): Promise<Subscription>;
  /**
   * The aggregators' feed of failed jobs (competing consumers: each failure reaches one). Other
   * dead letters (malformed messages, commands) are settled without a call: the dead queue keeps
   * its own copy of each for people.
   */
  consumeFailures(handler: JobFailureHandler): Promise<Subscription>;
  /** Jobs waiting for a worker (ready, not yet delivered): the autoscaling signal. */
  depth(): Promise<number>;
}

/**
 * Channels of the event bus: `control` (commands) and `updates` (update-ready) are durable work
 * queues shared by competing consumers; `events` is a fanout where every subscriber gets a copy
 * of what is published while it is subscribed.
 */
export type BusChannel = 'control' | 'updates' | 'events';

/** Context of one bus delivery. */
export interface BusDelivery {
  readonly redelivered: boolean;
}

/**
 * Handles one message. Resolving acks it; throwing {@link PoisonMessageError} dead-letters it;
 * throwing anything else requeues it for another attempt.
 */
export type BusHandler = (message: Message, delivery: BusDelivery) => Promise<void>;

export interface EventBus {
  /** Validates, then publishes on the channel of the message's type; resolves once confirmed. */
  publish(message: MessageInput): Promise<void>;
  subscribe(channel: BusChannel, handler: BusHandler): Promise<Subscription>;
}

/**
 * A fencing token: the writer owns run `runId` as long as the run's fencing counter still equals
 * `token` (see `fenceKey`). A fenced write happens in one step with that check, so a former
 * owner (paused, partitioned, slow) can never overwrite what the current owner wrote; it fails
 * with `FencedWriteError` instead.
 */
export interface Fence {
  readonly runId: string;
  readonly token: number;
}

export interface PutBlobOptions {
  /** Write only if the key does not exist (updates: a redelivered job cannot overwrite or double-count). */
  nx?: boolean;
  /** Expire the key after this many seconds. */
  ttlSeconds?: number;
  /** Write only while this token is the run's current one (models, targets); not combined with `nx` or `ttlSeconds`. */
  fence?: Fence;
}

export interface AppendEventOptions {
  /** Approximate cap on the entries kept (older ones are trimmed). */
  readonly maxLen: number;
  readonly fence?: Fence;
}

/** One entry of a run's event log: its id (the SSE id) and the event as JSON text. */
export interface StoredEvent {
  readonly id: string;
  readonly text: string;
}

/** Binary blobs: global models per version, update deltas, SSD targets. */
export interface BlobStore {
  /** Returns whether the blob was written (false when `nx` and the key existed). */
  putBlob(key: string, bytes: Uint8Array, opts?: PutBlobOptions): Promise<boolean>;
  getBlob(key: string): Promise<Uint8Array | null>;
  /** Sets a TTL in seconds; returns whether the key existed. */
  expire(key: string, ttlSeconds: number): Promise<boolean>;
  /** Deletes keys; returns how many existed. */
  delete(keys: readonly string[]): Promise<number>;
}

export interface SetJsonOptions {
  nx?: boolean;
  ttlSeconds?: number;
  /** Write only while this token is the run's current one; not combined with `nx` or `ttlSeconds`. */
  fence?: Fence;
}

/** The compare half of {@link StateStore.commitGuarded}. */
export interface GuardedKey {
  readonly key: string;
  readonly seq: number;
}

/** One key and the value to store there as JSON. */
export interface JsonWrite {
  readonly key: string;
  readonly value: unknown;
}

/** JSON state: run records, round state, metrics history, run index. */
export interface StateStore {
  getJson<T = unknown>(key: string): Promise<T | null>;
  /** Returns whether the value was written (false when `nx` and the key existed). */
  setJson(key: string, value: unknown, opts?: SetJsonOptions): Promise<boolean>;
  /**
   * Atomic read-modify-write (optimistic: `fn` may run more than once under contention, so it
   * must be pure). Returning `undefined` leaves the value as it is. Resolves to the value stored.
   */
  updateJson<T>(key: string, fn: (current: T | null) => T | undefined): Promise<T | null>;
  /**
   * One atomic step of several writes: only if the JSON object at `guard.key` has a `seq` field
   * equal to `guard.seq` (a missing field counts as 0; `guard.seq` -1 means "the key is absent"),
   * stores every `writes` entry as JSON and appends `append.row` to `append.runId`'s metrics
   * history. Returns whether it wrote. With `fence`, also only while the fence's token is the
   * run's current one: a stale token throws `FencedWriteError` (and writes nothing). Every key
   * must belong to one run (one Redis Cluster slot).
   */
  commitGuarded(
    guard: GuardedKey,
    writes: readonly JsonWrite[],
    append?: { readonly runId: string; readonly row: unknown },
    fence?: Fence,
  ): Promise<boolean>;
  /** Appends one row to the run's metrics history (oldest first). */
  appendMetrics(runId: string, row: unknown): Promise<void>;
  listMetrics<T = unknown>(runId: string): Promise<T[]>;
  /**
   * Appends one event (JSON text) to the run's event log, keeping about the newest `maxLen`.
   * `identity` names the event within the run (e.g. `round.closed:3`): when one of the last few
   * entries already has it (an effect redone after a crash or a takeover), nothing is appended
   * and null is returned; else the new entry's id (`<ms>-<seq>`, increasing). With `fence`, only
   * while that token is the run's (else `FencedWriteError`).
   */
  appendEvent(runId: string, identity: string, text: string, opts: AppendEventOptions): Promise<string | null>;
  /** Up to `count` events of the run after id `after` (all kept ones when undefined), oldest first. */
  readEvents(runId: string, after: string | undefined, count: number): Promise<StoredEvent[]>;
  /** Returns true when `member` was not in the set before. */
  addToSet(key: string, member: string): Promise<boolean>;
  /** Members in ascending order. */
  listSet(key: string): Promise<string[]>;
  /** Deletes keys; returns how many existed. */
  delete(keys: readonly string[]): Promise<number>;
  /** Throws when the store does not answer (readiness checks). */
  ping(): Promise<void>;
}

/** Who holds a run's lease, as stored. */
export interface LeaseHolder {
  readonly owner: string;
  readonly token: number;
  /** Milliseconds until the lease lapses unless renewed. */
  readonly ttlMs: number;
}

/**
 * What aggregator replicas share to split runs between them: a lease per run with a fencing
 * token, the set of runs still to drive, and a per-run inbox for messages that reached a replica
 * which does not own the run. Every key is the run's (one Redis Cluster slot per run).
 */
export interface RunOwnershipStore {
  /**
   * Takes run `runId` for `owner` for `ttlMs` when nobody holds it (or `owner` already does):
   * resolves to the fencing token (a new, larger one after every change of hands), or null
   * while another owner holds it.
   */
  acquire(runId: string, owner: string, ttlMs: number): Promise<number | null>;
  /**
   * Extends `owner`'s lease by `ttlMs` while `fence.token` is still the run's token (re-taking a
   * lapsed lease nobody took meanwhile); false: another owner took the run, stop driving it.
   */
  renew(fence: Fence, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if it is still `owner`'s with this token (the next acquisition moves the token on). */
  release(fence: Fence, owner: string): Promise<void>;
  holder(runId: string): Promise<LeaseHolder | null>;
  /** Adds the run to the set of runs some replica must drive (until it ends). */
  markActive(runId: string): Promise<void>;
  /** Removes an ended run from that set. */
  markEnded(runId: string): Promise<void>;
  /** Active runs whose lease nobody holds: what a replica should take over. */
  orphans(): Promise<string[]>;
  /** Appends an entry to the run's inbox (kept a day at most if no owner ever drains it). */
  forward(runId: string, entry: string): Promise<void>;
  /** The oldest inbox entry, left in place (null when empty). */
  peekForwarded(runId: string): Promise<string | null>;
  /** Removes the oldest inbox entry once handled; throws `FencedWriteError` when `fence` is stale. */
  popForwarded(fence: Fence): Promise<void>;
}

/**
 * Keeps this replica's leases alive in the background (every third of the lease time) and says
 * when one is lost. The Redis implementation renews from a worker thread, so a main thread busy
 * for seconds (an evaluation, a fold) does not lose its runs; a paused or partitioned process
 * does.
 */
export interface LeaseKeeper {
  keep(fence: Fence): void;
  drop(runId: string): void;
  /** Called once per lease that another owner took (renewal refused). */
  onLost(listener: (fence: Fence) => void): void;
  /** Stops renewing (the leases then lapse unless released first). Idempotent. */
  close(): Promise<void>;
}
