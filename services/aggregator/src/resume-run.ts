import type { Core } from './core.js';
import { closeRound, finishRound } from './close-round.js';
import { dueOutcome } from './round-policy.js';
import { advance, markStopped } from './run-end.js';

/**
 * Picks a run up from whatever its records say, after a restart, a redelivered `run.start` or a
 * failed close: re-publish the jobs of a round still 'open', close a collecting round that is
 * due (or re-arm its timers), redo an 'aggregating'/'evaluated' round, or take the step after a
 * closed one. All state comes from Redis; nothing here relies on memory of a previous process.
 */
export async function resumeRun(core: Core, runId: string): Promise<void> {
  const run = await core.runs.getRun(runId);
  if (run === null || (run.status !== 'running' && run.status !== 'stopping')) return;
  const round = run.currentRound;
  if (round === 0) {
    if (run.status === 'stopping') return markStopped(core, runId);
    if (run.config.autoAdvance) await core.openRound(run, 1);
    return;
  }
  const record = await core.runs.getRound(runId, round);
  if (record === null || record.status === 'open') {
    await core.openRound(run, round, 2);
    if (run.status === 'stopping') await closeRound(core, runId, round, 'stopped');
    return;
  }
  switch (record.status) {
    case 'collecting': {
      const due = run.status === 'stopping' ? 'stopped' : dueOutcome(record, run.config, core.clock.now());
      if (due !== undefined) return closeRound(core, runId, round, due);
      core.armTimers(record, run.config);
      return;
    }
    case 'aggregating':
    case 'evaluated':
      return finishRound(core, run, record);
    case 'closed': {
      // Crashed between closing the round and the step after it: bring the run record in line first.
      const current = await core.runs.updateRun(runId, (r) =>
        r.roundStatus === 'closed' && r.globalVersion === (record.globalVersion ?? r.globalVersion)
          ? r
          : { ...r, roundStatus: 'closed', globalVersion: record.globalVersion ?? r.globalVersion, updatedAt: core.isoNow() },
      );
      return advance(core, current);
    }
    case 'failed':
      return;
  }
}
