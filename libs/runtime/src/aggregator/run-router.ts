import type { Logger, Metrics } from '@fedssd/telemetry';
import { FencedWriteError, StateRolledBackError, type RunOwnershipStore, type RunRepository } from '@fedssd/transport';
import type { Clock } from './deps.js';
import type { KeyedLock } from './keyed-lock.js';
import type { RunOwnership } from './ownership.js';
import { decodeRunInput, encodeRunInput, runIdOf, type RunInput } from './run-input.js';

const ENDED = new Set(['finished', 'stopped', 'failed']);
/** Attempts at one inbox entry whose handling keeps failing (not fenced) before it is dropped, logged. */
const MAX_ENTRY_ATTEMPTS = 5;

export interface RunRouterDeps {
  readonly ownership: RunOwnership;
  /** Absent with sole ownership: nothing is ever forwarded or taken over. */
  readonly store?: RunOwnershipStore;
  readonly runs: RunRepository;
  readonly lock: KeyedLock;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Handles an input of an owned run; runs under the run's lock. */
  process(input: RunInput): Promise<void>;
  /** Brings a run this replica just took up to date (the machine's `restart`); under the lock. */
  resume(runId: string): Promise<void>;
}

export interface RunRouter {
  /** An input from the bus or the failure feed: handled here if this replica owns (or can take) the run, else forwarded to the owner. */
  route(input: RunInput): Promise<void>;
  /** Takes the run if free and resumes it (start-up; takeover of an orphan). */
  claim(runId: string, why: string): Promise<void>;
  /** Starts the takeover scan and the inbox polling (leased ownership only). */
  startLoops(scanMs: number, inboxPollMs: number): void;
  stopLoops(): void;
}

/**
 * Routes every input of a run to the one replica that owns it. A replica that owns the run (or
 * takes it because nobody holds it) handles the input; otherwise it appends it to the run's
 * inbox in Redis and acks: nothing is requeued to the broker (no ping-pong, no delivery
 * spent) and nothing is lost, since whoever owns the run next drains its inbox first. If the
 * store refuses one of its writes (stale fencing token), the replica gives the run up and
 * forwards the input instead. Orphaned runs (their owner died or was paused past its lease) are
 * taken over by whichever replica's scan finds them first.
 */
export function createRunRouter(d: RunRouterDeps): RunRouter {
  const failures = new Map<string, number>();
  let timers: { scan?: unknown; inbox?: unknown } = {};
  let looping = false;

  async function forward(runId: string, input: RunInput): Promise<void> {
    if (d.store === undefined) throw new Error(`run ${runId}: cannot forward without an ownership store`);
    await d.store.forward(runId, encodeRunInput(input));
    d.metrics.runOwnershipTotal.inc({ event: 'forwarded' });
    d.log.debug({ runId, kind: input.kind }, 'input forwarded to the run owner');
  }

  /** Handles an input of an owned run; false when a fenced write showed the run is no longer ours. */
  async function handled(runId: string, input: RunInput): Promise<boolean> {
    try {
      await d.process(input);
      return true;
    } catch (error) {
      if (!(error instanceof FencedWriteError)) throw error;
      d.ownership.lost(runId, error);
      return false;
    }
  }

  /** Handles what others forwarded, oldest first; each entry is removed (fenced) only once handled. */
  async function drain(runId: string): Promise<void> {
    const store = d.store;
    if (store === undefined) return;
    for (;;) {
      const fence = d.ownership.fence(runId);
      if (fence === undefined) return;
      const entry = await store.peekForwarded(runId);
      if (entry === null) return;
      const input = decodeRunInput(entry);
      if (input === undefined || runIdOf(input) !== runId)
        d.log.error({ runId, entry: entry.slice(0, 200) }, 'unreadable inbox entry dropped');
      else {
        try {
          if (!(await handled(runId, input))) return;
          failures.delete(runId);
        } catch (error) {
          // The run's state is rolled back: the entry waits (uncounted) until it is restored.
          if (error instanceof StateRolledBackError) return;
          const attempts = (failures.get(runId) ?? 0) + 1;
          failures.set(runId, attempts);
          d.log.error({ runId, attempts, err: error }, 'inbox entry failed');
          if (attempts < MAX_ENTRY_ATTEMPTS) return; // again at the next poll
          failures.delete(runId);
          d.log.error({ runId, entry: entry.slice(0, 200) }, `inbox entry dropped after ${attempts} failed attempts`);
        }
      }
      try {
        await store.popForwarded(fence);
      } catch (error) {
        if (!(error instanceof FencedWriteError)) throw error;
        d.ownership.lost(runId, error);
        return;
      }
    }
  }

  async function takeOver(runId: string): Promise<void> {
    try {
      await d.resume(runId);
    } catch (error) {
      if (!(error instanceof FencedWriteError)) throw error;
      d.ownership.lost(runId, error);
      return;
    }
    await drain(runId);
  }

  /** A replica holding an ended run (a late message took it) lets it go again. */
  async function releaseIfEnded(runId: string): Promise<void> {
    if (!d.ownership.leased || !d.ownership.owns(runId)) return;
    const run = await d.runs.getRun(runId);
    if (run !== null && !ENDED.has(run.status)) return;
    // Unknown runs too: nothing is left to drive, so they must not stay in the active set.
    await d.store?.markEnded(runId);
    await d.ownership.release(runId);
  }

  async function routeLocked(input: RunInput): Promise<void> {
    const runId = runIdOf(input);
    if (!d.ownership.owns(runId)) {
      if (!(await d.ownership.acquire(runId))) return forward(runId, input);
      await takeOver(runId);
    }
    if (!d.ownership.owns(runId) || !(await handled(runId, input))) return forward(runId, input);
    await releaseIfEnded(runId);
  }

  async function claimLocked(runId: string, why: string): Promise<void> {
    if (d.ownership.leased) {
      if (d.ownership.owns(runId) || !(await d.ownership.acquire(runId))) return;
      d.log.info({ runId, why }, 'run taken over');
    }
    await takeOver(runId);
    await releaseIfEnded(runId);
  }

  async function scan(): Promise<void> {
    const store = d.store;
    if (store === undefined) return;
    for (const runId of await store.orphans()) await d.lock.run(runId, () => claimLocked(runId, 'its lease lapsed'));
  }

  async function pollInboxes(): Promise<void> {
    for (const runId of d.ownership.owned()) await d.lock.run(runId, () => drain(runId));
  }

  function loop(kind: 'scan' | 'inbox', everyMs: number, work: () => Promise<void>): void {
    if (!looping) return;
    timers[kind] = d.clock.setTimeout(() => {
      work()
        .catch((error: unknown) => d.log.error({ err: error, loop: kind }, 'ownership loop failed'))
        .finally(() => loop(kind, everyMs, work));
    }, everyMs);
  }

  /**
   * An input of a run whose Redis state is rolled back (StateRolledBackError) is parked in the
   * run's inbox and acked: the inbox waits until the state is restored (then it is drained like any
   * forwarded input). Requeueing it instead would spend broker deliveries until the delivery limit
   * dead-letters it, and holding it unacked would block the consumer (prefetch 1) for every run.
   * Without an ownership store there is no inbox: the caller gets the error.
   */
  async function route(input: RunInput): Promise<void> {
    const runId = runIdOf(input);
    try {
      await d.lock.run(runId, () => routeLocked(input));
    } catch (error) {
      if (!(error instanceof StateRolledBackError) || d.store === undefined) throw error;
      await d.store.forward(runId, encodeRunInput(input));
      d.metrics.runOwnershipTotal.inc({ event: 'parked' });
      d.log.warn({ runId, kind: input.kind }, 'input parked in the run inbox until its state is restored');
    }
  }

  return {
    route,
    claim: (runId, why) => d.lock.run(runId, () => claimLocked(runId, why)),
    startLoops(scanMs, inboxPollMs) {
      if (!d.ownership.leased || looping) return;
      looping = true;
      loop('scan', scanMs, scan);
      loop('inbox', inboxPollMs, pollInboxes);
    },
    stopLoops() {
      looping = false;
      if (timers.scan !== undefined) d.clock.clearTimeout(timers.scan);
      if (timers.inbox !== undefined) d.clock.clearTimeout(timers.inbox);
      timers = {};
    },
  };
}
