import { deriveSeed, encodeTargets } from '@fedssd/engine';
import { targetFor } from '@fedssd/fedavg';
import { siteTargetKey, type RunRecord } from '@fedssd/protocol';
import { createModel } from '@fedssd/ssl';
import { encodeWeights } from '@fedssd/tensor';
import type { BlobStore, Fence, RunRepository } from '@fedssd/transport';
import type { RunContextCache } from './run-context.js';

/**
 * What `run.start` does before the round machine takes over: derive the run's context, store the
 * model spec, model v0 (the seeded initial model, the same in every process) and the SSD
 * targets — the whole set for simulation trainers, and in federated mode each site's own target
 * only, at a key that site alone may read. Idempotent: a redelivered command writes the same bytes
 * again. Throws when the run cannot be prepared (missing data, a config it cannot satisfy).
 * Every write carries the replica's `fence` (if any).
 */
export async function prepareRunStorage(
  deps: { runs: RunRepository; blobs: BlobStore },
  contexts: RunContextCache,
  run: RunRecord,
  fence?: Fence,
): Promise<void> {
  const context = await contexts.get(run);
  // The spec first: model v0 never exists without the spec the api exports it with.
  await deps.runs.putSpec(run.runId, context.spec, fence);
  const model = createModel(context.spec, deriveSeed(run.config.seed, 'init'));
  try {
    await deps.runs.putModel(run.runId, 0, encodeWeights(model.getWeights()), fence);
  } finally {
    model.dispose();
  }
  const { targets } = context;
  if (targets === undefined) return;
  if (context.federated === undefined) return deps.runs.putTargets(run.runId, encodeTargets(targets), fence);
  for (const [clientId, site] of context.federated.sites.entries()) {
    const own = targetFor(targets, clientId);
    const blob = encodeTargets({ dim: own.dim, basis: own.basisValues, slices: [own.slice], scale: own.scale });
    await deps.blobs.putBlob(siteTargetKey(run.runId, site), blob, fence === undefined ? {} : { fence });
  }
}
