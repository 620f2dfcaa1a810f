import type { RunState } from './round-types.js';

/** Why an update cannot count for its round, as the `reason` label of the rejection counter. */
export type AdmitRefusal = {
  readonly reason: 'stale' | 'closed-round' | 'unselected' | 'duplicate' | 'failed-client';
  readonly message: string;
};

/**
 * The round-level checks of an update (the driver adds the content checks: key, sample count,
 * blob, shapes, values, norm). Pure, so the driver can refuse before fetching any bytes and the
 * machine re-checks on acceptance.
 */
export function admitUpdate(
  state: RunState,
  update: { readonly round: number; readonly clientId: number; readonly globalVersion: number },
): AdmitRefusal | undefined {
  const { run, round } = state;
  if (round === null || update.round !== run.currentRound || round.round !== update.round) {
    return { reason: 'stale', message: `round ${update.round} is not the current round ${run.currentRound}` };
  }
  if (round.status !== 'collecting') return { reason: 'closed-round', message: `round ${update.round} is ${round.status}` };
  if (!round.selected.includes(update.clientId)) {
    return { reason: 'unselected', message: `client ${update.clientId} was not selected for round ${update.round}` };
  }
  if (round.accepted.some((a) => a.clientId === update.clientId)) {
    return { reason: 'duplicate', message: `client ${update.clientId} already reported for round ${update.round}` };
  }
  if (round.failed?.some((f) => f.clientId === update.clientId)) {
    return { reason: 'failed-client', message: `client ${update.clientId}'s job for round ${update.round} already failed` };
  }
  if (update.globalVersion !== round.baseVersion) {
    return { reason: 'stale', message: `trained from v${update.globalVersion}, round ${update.round} starts from v${round.baseVersion}` };
  }
  return undefined;
}
