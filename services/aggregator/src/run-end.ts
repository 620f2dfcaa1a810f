import { MESSAGE_VERSION, type RunRecord } from '@fedssd/protocol';
import type { Core } from './core.js';

/** Marks a run stopped (after `run.stop`) and announces it. */
export async function markStopped(core: Core, runId: string): Promise<void> {
  const run = await core.runs.updateRun(runId, (r) => ({
    ...r,
    status: 'stopped',
    roundStatus: r.roundStatus === 'open' || r.roundStatus === 'collecting' ? 'closed' : r.roundStatus,
    updatedAt: core.isoNow(),
  }));
  core.timers.clear(runId);
  core.contexts.forget(runId);
  await core.bus.publish({
    type: 'run.finished',
    version: MESSAGE_VERSION,
    runId,
    sentAt: core.clock.now(),
    roundsCompleted: run.currentRound,
    globalVersion: run.globalVersion,
    stopped: true,
    finishedAt: core.clock.now(),
  });
  core.log.info({ runId, round: run.currentRound }, 'run stopped');
}

/** Marks the run (and its current round, if any) failed and announces it. */
export async function markFailed(core: Core, runId: string, round: number | undefined, reason: string): Promise<void> {
  core.timers.clear(runId);
  if (round !== undefined && round > 0) {
    await core.runs.updateRound(runId, round, (r) =>
      r.status === 'closed' ? undefined : { ...r, status: 'failed', outcome: 'failed', closedAt: core.isoNow() },
    );
    core.metrics.roundsTotal.inc({ outcome: 'failed' });
  }
  await core.runs.updateRun(runId, (r) => ({
    ...r,
    status: 'failed',
    roundStatus: round !== undefined && round > 0 ? 'failed' : r.roundStatus,
    error: reason.slice(0, 2000),
    updatedAt: core.isoNow(),
  }));
  core.contexts.forget(runId);
  await core.bus.publish({
    type: 'run.failed',
    version: MESSAGE_VERSION,
    runId,
    sentAt: core.clock.now(),
    ...(round !== undefined && round > 0 ? { round } : {}),
    reason: reason.slice(0, 2000) || 'unknown error',
  });
  core.log.error({ runId, round, reason }, 'run failed');
}

/**
 * What happens after a round closed: stop a stopping run, finish a run whose rounds are done,
 * or (with `autoAdvance`) open the next round. Idempotent, so recovery may call it again.
 */
export async function advance(core: Core, run: RunRecord): Promise<void> {
  if (run.status === 'stopping') return markStopped(core, run.runId);
  if (run.status !== 'running') return;
  if (run.currentRound >= run.config.rounds) {
    const done = await core.runs.updateRun(run.runId, (r) => ({ ...r, status: 'finished', updatedAt: core.isoNow() }));
    core.contexts.forget(run.runId);
    await core.bus.publish({
      type: 'run.finished',
      version: MESSAGE_VERSION,
      runId: run.runId,
      sentAt: core.clock.now(),
      roundsCompleted: done.currentRound,
      globalVersion: done.globalVersion,
      stopped: false,
      finishedAt: core.clock.now(),
    });
    core.log.info({ runId: run.runId, rounds: done.currentRound, globalVersion: done.globalVersion }, 'run finished');
    return;
  }
  if (run.config.autoAdvance) await core.openRound(run, run.currentRound + 1);
}
