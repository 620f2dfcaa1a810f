import { encodeTargets } from '@fedssd/engine';
import { deriveSeed } from '@fedssd/engine';
import type { RunStart } from '@fedssd/protocol';
import { createModel } from '@fedssd/ssl';
import { encodeWeights } from '@fedssd/tensor';
import type { Core } from './core.js';
import { markFailed, markStopped } from './run-end.js';

/**
 * `run.start`: prepare the run once (data, partition, targets), store model v0 (the seeded
 * initial model, as `simulateRun` builds it) and the SSD targets, mark the run running and,
 * with `autoAdvance`, open round 1. Idempotent: a redelivered command for a run already running
 * only resumes it (`resume`), one for an ended run is ignored.
 */
export async function startRun(core: Core, msg: RunStart, resume: (runId: string) => Promise<void>): Promise<void> {
  const { runId } = msg;
  let run = await core.runs.getRun(runId);
  if (run === null) {
    // Started without the api (e.g. by a script on the bus): the command carries the config.
    const at = core.isoNow();
    await core.runs.createRun({
      runId,
      config: msg.config,
      status: 'created',
      createdAt: at,
      updatedAt: at,
      currentRound: 0,
      roundStatus: 'none',
      globalVersion: 0,
    });
    run = await core.runs.getRun(runId);
    if (run === null) return;
  }
  if (run.status === 'stopping') return markStopped(core, runId);
  if (run.status === 'running') return resume(runId);
  if (run.status !== 'created') {
    core.log.info({ runId, status: run.status }, 'run.start ignored: run already ended');
    return;
  }
  let context;
  try {
    context = await core.contexts.get(run);
  } catch (error) {
    // Bad config for this data (e.g. too few images per client) or a missing data set: the user's to fix.
    return markFailed(core, runId, undefined, `cannot prepare the run: ${(error as Error).message}`);
  }
  await core.runs.putSpec(runId, context.prepared.spec);
  const model = createModel(context.prepared.spec, deriveSeed(run.config.seed, 'init'));
  try {
    await core.runs.putModel(runId, 0, encodeWeights(model.getWeights()));
  } finally {
    model.dispose();
  }
  if (context.prepared.targets) await core.runs.putTargets(runId, encodeTargets(context.prepared.targets));
  const started = await core.runs.updateRun(runId, (r) =>
    r.status === 'created'
      ? { ...r, status: 'running', globalVersion: 0, currentRound: 0, roundStatus: 'none', updatedAt: core.isoNow() }
      : r,
  );
  core.log.info(
    {
      runId,
      method: run.config.method,
      clients: run.config.clients,
      rounds: run.config.rounds,
      shards: context.prepared.shards.map((s) => s.count),
    },
    'run started',
  );
  if (started.status === 'running') await resume(runId);
}
