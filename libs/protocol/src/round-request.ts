import { ACTIVE_ROUND_STATUSES, type RunRecord } from './records.js';

/** Why a round cannot be requested now; each is a 409 at the api. */
export type RoundRequestRefusal = 'RUN_NOT_ACTIVE' | 'ROUND_IN_PROGRESS' | 'RUN_COMPLETE' | 'ROUND_ALREADY_REQUESTED';

/** The outcome of {@link decideRoundRequest}. */
export type RoundRequestDecision = { ok: true; round: number } | { ok: false; code: RoundRequestRefusal; message: string };

/**
 * Whether the next round of `run` may be requested now, and which round that is. Pure: the
 * caller applies it inside one atomic read-modify-write of the run record and, when `ok`, writes
 * `requestedRound = round` in that same write, so of two concurrent requests for one round
 * exactly one is accepted. Checks in this order: the run takes commands (created or running), no
 * round is active, rounds remain, and the round was not already requested.
 */
export function decideRoundRequest(run: RunRecord): RoundRequestDecision {
  const { runId, status, roundStatus, currentRound } = run;
  if (status !== 'created' && status !== 'running') {
    return refuse('RUN_NOT_ACTIVE', `run ${runId} is ${status}; rounds can only start while it is created or running`);
  }
  if (roundStatus !== 'none' && ACTIVE_ROUND_STATUSES.includes(roundStatus)) {
    return refuse('ROUND_IN_PROGRESS', `round ${currentRound} of run ${runId} is ${roundStatus}; wait for it to close`);
  }
  if (currentRound >= run.config.rounds) {
    return refuse('RUN_COMPLETE', `run ${runId} already ran all ${run.config.rounds} rounds`);
  }
  const round = currentRound + 1;
  if (run.requestedRound === round) {
    return refuse('ROUND_ALREADY_REQUESTED', `round ${round} of run ${runId} was already requested; wait for it to open and close`);
  }
  return { ok: true, round };
}

function refuse(code: RoundRequestRefusal, message: string): RoundRequestDecision {
  return { ok: false, code, message };
}
