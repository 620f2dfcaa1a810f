import type { RoundOutcome, RoundRecord, RunConfig } from '@fedssd/protocol';

/**
 * When a collecting round must close: every selected client reported; or every one either
 * reported or failed (its job was dead-lettered: it can never report, so waiting for it only
 * delays the round); or `minClients` reported and `graceMs` passed since; or the deadline
 * passed. Pure: the same rule decides after an update or a failure, when a timer fires and when
 * a restarted coordinator looks at a round.
 */
export function dueOutcome(record: RoundRecord, config: RunConfig, now: number): RoundOutcome | undefined {
  if (record.accepted.length >= record.selected.length) return 'all-reported';
  if (record.accepted.length + (record.failed?.length ?? 0) >= record.selected.length) return 'all-settled';
  if (record.minClientsReachedAt !== undefined && now >= record.minClientsReachedAt + config.graceMs) return 'min-clients';
  if (now >= record.deadline) {
    const quorum = config.minClients !== undefined && record.accepted.length > 0 && record.accepted.length >= config.minClients;
    return quorum ? 'min-clients' : 'deadline';
  }
  return undefined;
}

/** Whether the round has just reached its quorum and should start the grace period. */
export function reachedQuorum(record: RoundRecord, config: RunConfig): boolean {
  return config.minClients !== undefined && record.minClientsReachedAt === undefined && record.accepted.length >= config.minClients;
}

/** The next moment a collecting round may become due by time alone: its deadline or the end of its grace period. */
export function nextTimerAt(record: RoundRecord, config: RunConfig): number {
  const grace = record.minClientsReachedAt === undefined ? Infinity : record.minClientsReachedAt + config.graceMs;
  return Math.min(record.deadline, grace);
}

/** Rounds that are evaluated: every `evalEvery`-th and always the last. */
export function isEvaluationRound(round: number, config: Pick<RunConfig, 'evalEvery' | 'rounds'>): boolean {
  return round % config.evalEvery === 0 || round === config.rounds;
}
