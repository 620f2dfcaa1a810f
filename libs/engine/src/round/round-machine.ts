import { ACTIVE_ROUND_STATUSES } from '@fedssd/protocol';
import { admitUpdate } from './admit-update.js';
import { afterAggregate, advance, aggregateOrSkip, armTimer, closeRound, endRun, finishRound, openRound } from './round-lifecycle.js';
import { recordFailure } from './round-failure.js';
import { dueOutcome, reachedQuorum } from './round-policy.js';
import { Step } from './round-step.js';
import type { MachineOptions, RoundEvent, RunState, Transition } from './round-types.js';

const ENDED = new Set(['finished', 'stopped', 'failed']);

/**
 * The round state machine: `(state, event, at) -> (state, records to persist, effects)`. Pure —
 * no I/O, no clock — so the coordinator (services over RabbitMQ and Redis) and `fedssd simulate`
 * (the same coordinator over the in-memory transport) run exactly this code, and tests can
 * drive every interleaving. See docs/ARCHITECTURE.md for the diagram.
 */
export function transition(state: RunState, event: RoundEvent, at: number, options: MachineOptions = {}): Transition {
  const s = new Step(state, at, { maxRecordedRejections: options.maxRecordedRejections ?? 500, population: options.population });
  const { run, round } = s;
  const current = (n: number) => round !== null && round.round === n && run.currentRound === n;
  // An ended run still records late updates' rejections in its last round; nothing else changes it.
  if (ENDED.has(run.status) && event.type !== 'restart' && event.type !== 'update-rejected') {
    s.ignore(`run is ${run.status}`);
    return s.result();
  }
  switch (event.type) {
    case 'start':
      if (run.status === 'stopping') endRun(s, 'stopped');
      else if (run.status === 'created') {
        s.setRun({ status: 'running', globalVersion: 0, currentRound: 0, roundStatus: 'none' });
        advance(s);
      } else return transition(state, { type: 'restart' }, at, options);
      break;
    case 'round-start': {
      const n = event.round;
      const why =
        run.status !== 'running'
          ? `run is ${run.status}`
          : round !== null && ACTIVE_ROUND_STATUSES.includes(round.status)
            ? `round ${round.round} is ${round.status}`
            : n !== run.currentRound + 1
              ? `next round is ${run.currentRound + 1}`
              : n > s.config.rounds
                ? `the run has ${s.config.rounds} rounds`
                : undefined;
      if (why !== undefined) s.ignore(why);
      else {
        if ((run.requestedRound ?? 0) < n) s.setRun({ requestedRound: n });
        openRound(s, n);
      }
      break;
    }
    case 'jobs-published':
      if (!current(event.round) || round?.status !== 'open') s.ignore(`round ${event.round} is not open`);
      else {
        s.setRound({ ...round, status: 'collecting' });
        s.emit({
          type: 'round.opened',
          round: round.round,
          globalVersion: round.baseVersion,
          selectedClients: round.selected,
          deadline: round.deadline,
        });
        armTimer(s);
      }
      break;
    case 'update-accepted': {
      const refusal = admitUpdate(state, { round: event.round, clientId: event.update.clientId, globalVersion: round?.baseVersion ?? -1 });
      if (refusal !== undefined || round === null) {
        const why = refusal?.message ?? 'no round';
        if (round !== null && round.round === event.round)
          recordRejection(s, { clientId: event.update.clientId, reason: refusal?.reason ?? 'stale', message: why });
        s.ignore(why);
        break;
      }
      const next = { ...round, accepted: [...round.accepted, event.update] };
      const quorum = reachedQuorum(next, s.config);
      if (quorum) next.minClientsReachedAt = at;
      s.setRound(next);
      const due = dueOutcome(next, s.config, at);
      if (due !== undefined) closeRound(s, due);
      else if (quorum) armTimer(s);
      break;
    }
    case 'client-failed':
      recordFailure(s, event);
      break;
    case 'update-rejected':
      if (round === null || round.round !== event.round) s.ignore(`round ${event.round} is not current`);
      else recordRejection(s, event.rejection);
      break;
    case 'timer': {
      const due = current(event.round) && round?.status === 'collecting' ? dueOutcome(round, s.config, at) : undefined;
      if (!current(event.round) || round?.status !== 'collecting') s.ignore(`round ${event.round} is not collecting`);
      else if (due !== undefined) closeRound(s, due);
      else armTimer(s);
      break;
    }
    case 'stop':
      if (run.status === 'created') endRun(s, 'stopped');
      else {
        if (run.status !== 'stopping') s.setRun({ status: 'stopping' });
        if (round !== null && (round.status === 'open' || round.status === 'collecting')) closeRound(s, 'stopped');
        else if (round === null || !ACTIVE_ROUND_STATUSES.includes(round.status)) endRun(s, 'stopped');
      }
      break;
    case 'aggregated':
      if (!current(event.round) || round?.status !== 'aggregating') s.ignore(`round ${event.round} is not aggregating`);
      else {
        const excluded = event.excluded ?? [];
        if (excluded.length > 0) {
          const gone = new Set(excluded.map((x) => x.clientId));
          s.setRound({
            ...round,
            accepted: round.accepted.filter((a) => !gone.has(a.clientId)),
            rejected: [...round.rejected, ...excluded],
          });
        }
        afterAggregate(s, event.version);
      }
      break;
    case 'evaluated':
      if (!current(event.round) || round?.status !== 'evaluating') s.ignore(`round ${event.round} is not evaluating`);
      else {
        s.setRound({ ...round, metrics: event.metrics });
        s.emit({
          type: 'round.evaluated',
          round: round.round,
          globalVersion: round.globalVersion ?? round.baseVersion,
          metrics: event.metrics,
          evalSeconds: event.evalSeconds,
        });
        finishRound(s);
      }
      break;
    case 'restart':
      restart(s);
      break;
    case 'fail':
      if (round !== null && round.status !== 'closed' && round.status !== 'failed') {
        s.setRound({ ...round, status: 'failed', outcome: 'failed', closedAt: s.iso() });
        s.setRun({ status: 'failed', error: event.reason.slice(0, 2000) });
        s.emit({ type: 'run.failed', round: round.round, reason: event.reason.slice(0, 2000) || 'unknown error' });
      } else {
        s.setRun({ status: 'failed', error: event.reason.slice(0, 2000) });
        s.emit({ type: 'run.failed', reason: event.reason.slice(0, 2000) || 'unknown error' });
      }
      s.effect({ type: 'clear-timers' });
      s.effect({ type: 'run-ended', status: 'failed' });
      break;
  }
  return s.result();
}

/** Appends a rejection to the current round record, up to the recorded maximum. */
function recordRejection(s: Step, rejection: { clientId: number | null; reason: string; message?: string }): void {
  const r = s.round;
  if (r === null) return;
  if (r.rejected.length >= s.options.maxRecordedRejections) return s.ignore('rejection not recorded: the round record holds the maximum');
  s.setRound({
    ...r,
    rejected: [...r.rejected, { ...rejection, ...(rejection.message !== undefined ? { message: rejection.message.slice(0, 500) } : {}) }],
  });
}

/**
 * What a persisted state still owes after a restart: re-publish an open round's jobs, close a
 * due collecting round or re-arm its timer, redo an aggregation or evaluation, or take the run's
 * next step. Nothing here relies on the memory of a previous process.
 */
function restart(s: Step): void {
  const { run, round } = s;
  if (run.status === 'created' || ENDED.has(run.status)) return s.ignore(`run is ${run.status}`);
  if (round === null || round.status === 'closed' || round.status === 'failed') return advance(s);
  switch (round.status) {
    case 'open':
      if (run.status === 'stopping') return closeRound(s, 'stopped');
      s.effect({
        type: 'publish-jobs',
        round: round.round,
        clients: round.selected,
        baseVersion: round.baseVersion,
        deadline: round.deadline,
        attempt: 2,
      });
      return;
    case 'collecting': {
      const due = run.status === 'stopping' ? 'stopped' : dueOutcome(round, s.config, s.at);
      if (due !== undefined) return closeRound(s, due);
      return armTimer(s);
    }
    case 'aggregating':
      return aggregateOrSkip(s);
    case 'evaluating':
      s.effect({
        type: 'evaluate',
        round: round.round,
        version: round.globalVersion ?? round.baseVersion,
        final: round.round === s.config.rounds,
      });
      return;
  }
}
