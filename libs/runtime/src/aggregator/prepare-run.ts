import { deriveSeed, encodeTargets } from '@fedssd/engine';
import type { RunRecord } from '@fedssd/protocol';
import { createModel } from '@fedssd/ssl';
import { encodeWeights } from '@fedssd/tensor';
import type { Fence, RunRepository } from '@fedssd/transport';
import type { RunContextCache } from './run-context.js';

/**
 * What `run.start` does before the round machine takes over: derive the run's context (data,
 * partition, targets), store model v0 (the seeded initial model, the same in every process) and
 * the SSD targets. Idempotent: a redelivered command writes the same bytes again. Throws when
 * the run cannot be prepared (missing data, a config this data cannot satisfy): the user's to fix.
 * Every write carries the replica's `fence` (if any).
 */
export async function prepareRunStorage(runs: RunRepository, contexts: RunContextCache, run: RunRecord, fence?: Fence): Promise<void> {
  const context = await contexts.get(run);
  // The spec first: model v0 never exists without the spec the api exports it with.
  await runs.putSpec(run.runId, context.prepared.spec, fence);
  const model = createModel(context.prepared.spec, deriveSeed(run.config.seed, 'init'));
  try {
    await runs.putModel(run.runId, 0, encodeWeights(model.getWeights()), fence);
  } finally {
    model.dispose();
  }
  if (context.prepared.targets) await runs.putTargets(run.runId, encodeTargets(context.prepared.targets), fence);
}
