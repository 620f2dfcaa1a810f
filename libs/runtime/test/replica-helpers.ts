import type { Fence, LeaseKeeper, RunOwnershipStore } from '@fedssd/transport';

/**
 * A {@link LeaseKeeper} on the main thread's timers, for replicas over the in-memory fakes. The
 * test can `freeze` it: renewals stop, as when a replica is paused or cut off, while the
 * replica itself keeps running and believes it still owns its runs.
 */
export function timerLeaseKeeper(store: RunOwnershipStore, owner: string, ttlMs: number) {
  const kept = new Map<string, number>();
  const listeners: Array<(fence: Fence) => void> = [];
  let frozen = false;
  const timer = setInterval(() => {
    if (frozen) return;
    for (const [runId, token] of [...kept]) {
      void store.renew({ runId, token }, owner, ttlMs).then((ok) => {
        if (ok || kept.get(runId) !== token) return;
        kept.delete(runId);
        for (const listener of listeners) listener({ runId, token });
      });
    }
  }, ttlMs / 3);
  const keeper: LeaseKeeper & { freeze(): void } = {
    keep: (fence) => void kept.set(fence.runId, fence.token),
    drop: (runId) => void kept.delete(runId),
    onLost: (listener) => void listeners.push(listener),
    close: async () => clearInterval(timer),
    freeze: () => {
      frozen = true;
    },
  };
  return keeper;
}

/**
 * The shared ownership store as one replica sees it; `cut()` makes every call fail from then
 * on, as when the replica loses its connection (its leases lapse, it can release nothing).
 */
export function severableStore(store: RunOwnershipStore) {
  let cut = false;
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      cut ? Promise.reject(new Error('connection lost (injected)')) : fn(...args);
  const view: RunOwnershipStore & { cut(): void } = {
    acquire: guard((runId, owner, ttlMs) => store.acquire(runId, owner, ttlMs)),
    renew: guard((fence, owner, ttlMs) => store.renew(fence, owner, ttlMs)),
    release: guard((fence, owner) => store.release(fence, owner)),
    holder: guard((runId) => store.holder(runId)),
    markActive: guard((runId) => store.markActive(runId)),
    markEnded: guard((runId) => store.markEnded(runId)),
    orphans: guard(() => store.orphans()),
    forward: guard((runId, entry) => store.forward(runId, entry)),
    peekForwarded: guard((runId) => store.peekForwarded(runId)),
    popForwarded: guard((fence) => store.popForwarded(fence)),
    cut: () => {
      cut = true;
    },
  };
  return view;
}

/** Polls `check` every 10 ms (real time) until it holds, or fails naming `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
