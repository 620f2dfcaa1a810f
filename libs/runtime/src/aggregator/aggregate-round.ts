import { addWeights } from '@fedssd/fedavg';
import type { AcceptedUpdate, RejectedUpdate } from '@fedssd/protocol';
import { encodeWeights } from '@fedssd/tensor';
import type { Fence, RunRepository } from '@fedssd/transport';
import type { RunContext } from './run-context.js';
import type { RoundFolds } from './round-fold.js';

/** What the fold produced: the stored version, and accepted updates it refused to fold. */
export interface AggregateResult {
  readonly version: number;
  readonly excluded: RejectedUpdate[];
}

/**
 * FedAvg of a round's accepted updates. Most were folded as they were accepted (round-fold.ts);
 * this folds whatever is left (after a restart or takeover: from the fold checkpoint plus the
 * blobs not in it, each checked against the digest pinned when it was validated, so the bytes
 * folded are the bytes validated; a blob that changed or vanished is left out and reported).
 * The fold is exact and order-independent, so the bytes do not depend on arrival order or on
 * where a crash fell. Stores version baseVersion + 1 when anything was folded; redoing it after a
 * crash writes the same bytes.
 */
export async function aggregateRound(
  deps: { runs: RunRepository; folds: RoundFolds },
  context: RunContext,
  effect: { round: number; baseVersion: number; updates: readonly AcceptedUpdate[] },
  /** The replica's fencing token: a replica that lost the run cannot store the version. */
  fence?: Fence,
): Promise<AggregateResult> {
  const global = await context.global(effect.baseVersion);
  const { mean, excluded } = await deps.folds.finish(context.runId, effect.round, global, effect.updates, fence);
  if (mean === null) return { version: effect.baseVersion, excluded };
  const version = effect.baseVersion + 1;
  await deps.runs.putModel(context.runId, version, encodeWeights(addWeights(global, mean)), fence);
  return { version, excluded };
}
