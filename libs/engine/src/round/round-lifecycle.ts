import type { RoundOutcome } from '@fedssd/protocol';
import { metricsRowOf } from './round-row.js';
import { isEvaluationRound, nextTimerAt } from './round-policy.js';
import type { Step } from './round-step.js';
import { selectClients } from './select-clients.js';

/**
 * The steps a round goes through, shared by the event handlers of round-machine.ts:
 * open -> collecting -> aggregating -> (evaluating) -> closed, then the run's next step.
 */

/** Opens round `n` from the current global version: selects its clients and asks for their jobs. */
export function openRound(s: Step, n: number): void {
  const selected = selectClients(s.config, n, s.options.population);
  const deadline = s.at + s.config.roundDeadlineMs;
  s.setRound({
    runId: s.run.runId,
    round: n,
    status: 'open',
    selected,
    baseVersion: s.run.globalVersion,
    openedAt: s.iso(),
    deadline,
    accepted: [],
    rejected: [],
  });
  s.effect({ type: 'publish-jobs', round: n, clients: selected, baseVersion: s.run.globalVersion, deadline, attempt: 1 });
}

/** Arms the one timer a collecting round needs: its deadline, or the end of its grace period if sooner. */
export function armTimer(s: Step): void {
  const r = s.round;
  if (r !== null && r.status === 'collecting') s.effect({ type: 'arm-timer', round: r.round, at: nextTimerAt(r, s.config) });
}

/** collecting (or open) -> aggregating with `outcome`; folds the accepted updates unless there is nothing to fold. */
export function closeRound(s: Step, outcome: RoundOutcome): void {
  const r = s.round;
  if (r === null) return;
  s.setRound({ ...r, status: 'aggregating', outcome, closedAt: s.iso() });
  s.effect({ type: 'clear-timers' });
  aggregateOrSkip(s);
}

/** The aggregating step: ask for the fold, or go straight on when the round folds nothing. */
export function aggregateOrSkip(s: Step): void {
  const r = s.round;
  if (r === null) return;
  if (r.outcome !== 'stopped' && r.accepted.length > 0) {
    const updates = [...r.accepted].sort((a, b) => a.clientId - b.clientId);
    s.effect({ type: 'aggregate', round: r.round, baseVersion: r.baseVersion, updates });
  } else {
    afterAggregate(s, r.baseVersion);
  }
}

/** Model `version` is stored: evaluate it when the cadence says so, else close the round. */
export function afterAggregate(s: Step, version: number): void {
  const r = s.round;
  if (r === null) return;
  if (r.outcome !== 'stopped' && isEvaluationRound(r.round, s.config)) {
    s.setRound({ ...r, status: 'evaluating', globalVersion: version });
    s.effect({ type: 'evaluate', round: r.round, version, final: r.round === s.config.rounds });
    return;
  }
  s.setRound({ ...r, globalVersion: version });
  finishRound(s);
}

/** evaluating/aggregating -> closed: the metrics row, round.closed, the blobs released, then the run's next step. */
export function finishRound(s: Step): void {
  const prev = s.round;
  if (prev === null) return;
  const r = { ...prev, status: 'closed' as const };
  s.setRound(r);
  s.row = metricsRowOf(r);
  const version = r.globalVersion ?? r.baseVersion;
  s.setRun({ globalVersion: version });
  const rejectedByReason: Record<string, number> = {};
  for (const x of r.rejected) rejectedByReason[x.reason] = (rejectedByReason[x.reason] ?? 0) + 1;
  s.emit({
    type: 'round.closed',
    round: r.round,
    outcome: r.outcome ?? 'failed',
    accepted: r.accepted.length,
    rejected: r.rejected.length,
    rejectedByReason,
    ...(r.failed !== undefined && r.failed.length > 0 ? { failed: r.failed.length } : {}),
    globalVersion: version,
    durationMs: s.row.durationMs,
  });
  s.effect({ type: 'release-updates', round: r.round, clients: r.selected });
  advance(s);
}

/** With no round in flight: end a stopping or completed run, or open the next round when asked to. */
export function advance(s: Step): void {
  const { run } = s;
  if (run.status === 'stopping') return endRun(s, 'stopped');
  if (run.status !== 'running') return;
  if (run.currentRound >= s.config.rounds) return endRun(s, 'finished');
  if (s.config.autoAdvance || (run.requestedRound ?? 0) > run.currentRound) openRound(s, run.currentRound + 1);
}

/** The run reaches a final status without a failure. */
export function endRun(s: Step, status: 'finished' | 'stopped'): void {
  s.setRun({ status });
  s.emit({
    type: 'run.finished',
    roundsCompleted: s.run.currentRound,
    globalVersion: s.run.globalVersion,
    stopped: status === 'stopped',
    finishedAt: s.at,
  });
  s.effect({ type: 'clear-timers' });
  s.effect({ type: 'run-ended', status });
}
