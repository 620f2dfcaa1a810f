import type { RoundOutcome, RoundRecord, RunConfig } from '@fedssd/protocol';

/**
 * When a collecting round must close (DESIGN.md): every selected client reported; or
 * `minClients` reported and `graceMs` passed since; or the deadline passed. Pure, so the same
 * rule decides after an update, on a timer and when a restarted aggregator looks at a round.
 */
export function dueOutcome(record: RoundRecord, config: RunConfig, now: number): RoundOutcome | undefined {
  if (record.accepted.length >= record.selected.length) return 'all-reported';
  if (record.minClientsReachedAt !== undefined && now >= record.minClientsReachedAt + config.graceMs) return 'min-clients';
  if (now >= record.deadline)
    return record.accepted.length > 0 && config.minClients !== undefined && record.accepted.length >= config.minClients
      ? 'min-clients'
      : 'deadline';
  return undefined;
}

/** Whether this round just reached its quorum and should start the grace period. */
export function reachedQuorum(record: RoundRecord, config: RunConfig): boolean {
  return config.minClients !== undefined && record.minClientsReachedAt === undefined && record.accepted.length >= config.minClients;
}
