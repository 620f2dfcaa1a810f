import { closeRound } from './round-lifecycle.js';
import { dueOutcome } from './round-policy.js';
import type { Step } from './round-step.js';

/**
 * A selected client's job failed (the broker dead-lettered it): record it once, and close the
 * round when that leaves nobody to wait for. Ignored for a round that is not collecting, a client
 * that was not selected, already reported (its update counts: it arrived first) or already failed.
 */
export function recordFailure(s: Step, event: { round: number; clientId: number; reason: string }): void {
  const { run, round } = s;
  const { clientId } = event;
  const why =
    round === null || round.round !== event.round || run.currentRound !== event.round || round.status !== 'collecting'
      ? `round ${event.round} is not collecting`
      : !round.selected.includes(clientId)
        ? `client ${clientId} was not selected for round ${event.round}`
        : round.accepted.some((a) => a.clientId === clientId)
          ? `client ${clientId} already reported for round ${event.round}`
          : round.failed?.some((f) => f.clientId === clientId)
            ? `client ${clientId} already failed in round ${event.round}`
            : undefined;
  if (why !== undefined || round === null) return s.ignore(why ?? 'no round');
  const failed = [...(round.failed ?? []), { clientId, reason: event.reason.slice(0, 200) }].sort((a, b) => a.clientId - b.clientId);
  const next = { ...round, failed };
  s.setRound(next);
  const due = dueOutcome(next, s.config, s.at);
  if (due !== undefined) closeRound(s, due);
}
