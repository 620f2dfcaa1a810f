import type { Clock } from './deps.js';

/** 'round': the current round's deadline or grace end; 'retry': a failed step; 'forget': drop a finished run's gauges. */
export type TimerKind = 'round' | 'retry' | 'forget';

/**
 * The timers of each run: the current round's next due moment (deadline or end of grace), a
 * retry after a failed step, and the removal of a finished run's gauges. Timers are only
 * reminders: the round record holds the deadline and `minClientsReachedAt`, and the round
 * machine re-arms the round timer when a restarted aggregator picks the run up.
 */
export interface RoundTimers {
  /** Fires `fn` at epoch ms `at` (at once if already past); replaces a timer of the same kind. */
  arm(runId: string, kind: TimerKind, at: number, fn: () => void): void;
  clear(runId: string, kind?: TimerKind): void;
  clearAll(): void;
}

export function createRoundTimers(clock: Clock): RoundTimers {
  const timers = new Map<string, Map<TimerKind, unknown>>();
  const clear = (runId: string, kind?: TimerKind) => {
    const forRun = timers.get(runId);
    if (!forRun) return;
    for (const [k, handle] of forRun) {
      if (kind !== undefined && k !== kind) continue;
      clock.clearTimeout(handle);
      forRun.delete(k);
    }
    if (forRun.size === 0) timers.delete(runId);
  };
  return {
    arm(runId, kind, at, fn) {
      clear(runId, kind);
      const forRun = timers.get(runId) ?? new Map<TimerKind, unknown>();
      timers.set(runId, forRun);
      const handle = clock.setTimeout(
        () => {
          if (forRun.get(kind) === handle) forRun.delete(kind);
          fn();
        },
        Math.max(0, at - clock.now()),
      );
      forRun.set(kind, handle);
    },
    clear,
    clearAll() {
      for (const runId of [...timers.keys()]) clear(runId);
    },
  };
}
