import type { Logger, Metrics } from '@fedssd/telemetry';
import type { Fence, LeaseKeeper, RunOwnershipStore } from '@fedssd/transport';

/**
 * Which runs this aggregator replica drives. With one aggregator (`fedssd simulate`, tests, a
 * single replica without leases) it owns every run and writes unfenced; with several, each run
 * belongs to the replica holding its lease, and every write of it carries that lease's token.
 */
export interface RunOwnership {
  /** True when runs are leased (several replicas may run). */
  readonly leased: boolean;
  owns(runId: string): boolean;
  /**
   * The fencing token this replica writes the run with (undefined only when not leased). For a
   * run it no longer owns, its last token (or 0 if it never had one): a write still in flight
   * after the run was lost is then refused by the store rather than going out unfenced.
   */
  fence(runId: string): Fence | undefined;
  /** Takes the run if nobody holds it; resolves whether this replica owns it now. */
  acquire(runId: string): Promise<boolean>;
  /** Gives the run up (it ended, or the replica shuts down). */
  release(runId: string): Promise<void>;
  /** A write was refused with this replica's token (`refusal`: the store's error, counted once however often reported): another replica owns the run now. */
  lost(runId: string, refusal: object): void;
  owned(): string[];
  /** Releases every run and stops renewing. Idempotent. */
  close(): Promise<void>;
}

/** One aggregator: it owns every run, nothing is fenced. */
export function soleOwnership(): RunOwnership {
  return {
    leased: false,
    owns: () => true,
    fence: () => undefined,
    acquire: async () => true,
    release: async () => undefined,
    lost: () => undefined,
    owned: () => [],
    close: async () => undefined,
  };
}

/** Settings of leased ownership. */
export interface LeasedOwnershipOptions {
  readonly store: RunOwnershipStore;
  readonly keeper: LeaseKeeper;
  /** Unique per replica process (logs, lease holder). */
  readonly replicaId: string;
  /** Lease time in ms: how long a dead or paused replica keeps its runs. */
  readonly leaseMs: number;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Called once when this replica stops owning a run it did not release (drop its timers and caches). */
  readonly onLost: (runId: string) => void;
}

/** Ownership through the runs' leases; the keeper renews them and reports the ones another replica took. */
export function leasedOwnership(o: LeasedOwnershipOptions): RunOwnership {
  const tokens = new Map<string, number>();
  /** Last token of each run this replica held; bounded, since only in-flight steps of a lost run need it. */
  const former = new Map<string, number>();
  const remember = (runId: string, token: number) => {
    former.delete(runId);
    former.set(runId, token);
    if (former.size > 1_000) former.delete(former.keys().next().value as string);
  };
  const counted = new WeakSet<object>();
  let closed = false;
  const drop = (runId: string, why: string) => {
    const token = tokens.get(runId);
    if (token === undefined) return;
    tokens.delete(runId);
    remember(runId, token);
    o.keeper.drop(runId);
    o.metrics.runOwnershipTotal.inc({ event: 'lost' });
    o.log.warn({ runId, fencingToken: token, replica: o.replicaId, why }, 'run lost to another replica');
    o.onLost(runId);
  };
  o.keeper.onLost((fence) => {
    if (tokens.get(fence.runId) === fence.token) drop(fence.runId, 'lease renewal refused');
  });
  return {
    leased: true,
    owns: (runId) => tokens.has(runId),
    fence(runId) {
      // Never undefined here: 0 is no run's token (the counter starts at 1), so such a write is refused.
      return { runId, token: tokens.get(runId) ?? former.get(runId) ?? 0 };
    },
    async acquire(runId) {
      if (tokens.has(runId)) return true;
      if (closed) return false;
      const token = await o.store.acquire(runId, o.replicaId, o.leaseMs);
      if (token === null) return false;
      tokens.set(runId, token);
      o.keeper.keep({ runId, token });
      await o.store.markActive(runId);
      o.metrics.runOwnershipTotal.inc({ event: 'acquired' });
      o.log.info({ runId, fencingToken: token, replica: o.replicaId }, 'run acquired');
      return true;
    },
    async release(runId) {
      const token = tokens.get(runId);
      if (token === undefined) return;
      tokens.delete(runId);
      remember(runId, token);
      o.keeper.drop(runId);
      await o.store.release({ runId, token }, o.replicaId);
      o.metrics.runOwnershipTotal.inc({ event: 'released' });
      o.log.info({ runId, fencingToken: token, replica: o.replicaId }, 'run released');
    },
    lost(runId, refusal) {
      if (counted.has(refusal)) return;
      counted.add(refusal);
      o.metrics.runOwnershipTotal.inc({ event: 'refused' });
      o.log.warn(
        { runId, fencingToken: tokens.get(runId) ?? former.get(runId) ?? 0, replica: o.replicaId },
        'write refused: stale fencing token',
      );
      drop(runId, 'a write was refused');
    },
    owned: () => [...tokens.keys()].sort(),
    async close() {
      if (closed) return;
      closed = true;
      for (const runId of [...tokens.keys()]) {
        try {
          await this.release(runId);
        } catch (error) {
          o.log.warn({ runId, err: error }, 'lease not released; it lapses by itself');
        }
      }
      await o.keeper.close();
    },
  };
}
