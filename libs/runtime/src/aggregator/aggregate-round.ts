import { addWeights, createFedAvg, FOLD_GROUP_MAX, type WeightedUpdate } from '@fedssd/fedavg';
import type { AcceptedUpdate, RejectedUpdate } from '@fedssd/protocol';
import { decodeWeights, encodeWeights } from '@fedssd/tensor';
import type { BlobStore, Fence, RunRepository } from '@fedssd/transport';
import { blobDigest } from './check-update.js';
import type { RunContext } from './run-context.js';

/** What the fold produced: the stored version, and accepted updates it refused to fold. */
export interface AggregateResult {
  readonly version: number;
  readonly excluded: RejectedUpdate[];
}

/**
 * FedAvg of a round's accepted updates in ascending client-id order, each blob read once and
 * checked against the digest pinned when it was validated, so the bytes folded are the bytes
 * validated; a blob that changed or vanished is left out and reported. Blobs are folded
 * FOLD_GROUP_MAX at a time (one pass over the sums per group, same bytes as one by one). Stores
 * version baseVersion + 1 when anything was folded; redoing it after a crash writes the same bytes.
 */
export async function aggregateRound(
  deps: { blobs: BlobStore; runs: RunRepository },
  context: RunContext,
  effect: { baseVersion: number; updates: readonly AcceptedUpdate[] },
  /** The replica's fencing token: a replica that lost the run cannot store the version. */
  fence?: Fence,
): Promise<AggregateResult> {
  const global = await context.global(effect.baseVersion);
  const fold = createFedAvg(global);
  const excluded: RejectedUpdate[] = [];
  let folded = 0;
  for (let g = 0; g < effect.updates.length; g += FOLD_GROUP_MAX) {
    const group: WeightedUpdate[] = [];
    for (const update of effect.updates.slice(g, g + FOLD_GROUP_MAX)) {
      const bytes = await deps.blobs.getBlob(update.updateKey);
      if (bytes === null) {
        excluded.push({
          clientId: update.clientId,
          reason: 'vanished',
          message: `update blob ${update.updateKey} vanished before aggregation`,
        });
        continue;
      }
      if (update.sha256 !== undefined && blobDigest(bytes) !== update.sha256) {
        excluded.push({
          clientId: update.clientId,
          reason: 'tampered',
          message: `update blob ${update.updateKey} changed after it was validated`,
        });
        continue;
      }
      group.push({ weights: decodeWeights(bytes, { copy: false }), samples: update.samples });
    }
    if (group.length > 0) fold.addAll(group);
    folded += group.length;
  }
  if (folded === 0) return { version: effect.baseVersion, excluded };
  const version = effect.baseVersion + 1;
  await deps.runs.putModel(context.runId, version, encodeWeights(addWeights(global, fold.result())), fence);
  return { version, excluded };
}
