import { validateUpdate, type RejectReason } from '@fedssd/fedavg';
import { updateKey, type AcceptedUpdate, type RoundRecord, type UpdateReady } from '@fedssd/protocol';
import { decodeWeights, type Weights } from '@fedssd/tensor';
import type { Core } from './core.js';

/**
 * Every label of `fedssd_updates_rejected_total{reason}`: the checks here, validateUpdate's own
 * and 'malformed' (dead-lettered by the transport). The aggregator exports each at 0 from start-up
 * so dashboards and `increase()` see a series before the first rejection.
 */
export const UPDATE_REJECT_REASONS = [
  'unknown-run',
  'stale',
  'closed-round',
  'unselected',
  'duplicate',
  'wrong-key',
  'bad-samples',
  'corrupt',
  'malformed',
  ...(['missing-tensor', 'unexpected-tensor', 'shape-mismatch', 'non-finite', 'norm-exceeded'] as const satisfies readonly RejectReason[]),
] as const;
export type UpdateRejectReason = (typeof UPDATE_REJECT_REASONS)[number];

type Verdict = { ok: true; record: RoundRecord } | { ok: false; reason: UpdateRejectReason; message: string; record: RoundRecord | null };

async function check(core: Core, msg: UpdateReady): Promise<Verdict & { bytes?: number }> {
  const { runId, round, clientId } = msg;
  const no = (reason: UpdateRejectReason, message: string, record: RoundRecord | null = null): Verdict => ({
    ok: false,
    reason,
    message,
    record,
  });
  const run = await core.runs.getRun(runId);
  if (run === null) return no('unknown-run', `run ${runId} does not exist`);
  const record = await core.runs.getRound(runId, round);
  if (record === null || round !== run.currentRound)
    return no('stale', `round ${round} is not the current round ${run.currentRound}`, record);
  if (record.status !== 'collecting') return no('closed-round', `round ${round} is ${record.status}`, record);
  if (!record.selected.includes(clientId)) return no('unselected', `client ${clientId} was not selected for round ${round}`, record);
  if (record.accepted.some((a) => a.clientId === clientId))
    return no('duplicate', `client ${clientId} already reported for round ${round}`, record);
  if (msg.globalVersion !== record.baseVersion)
    return no('stale', `trained from v${msg.globalVersion}, round ${round} starts from v${record.baseVersion}`, record);
  const expectedKey = updateKey(runId, round, clientId);
  if (msg.updateKey !== expectedKey) return no('wrong-key', `update key must be ${expectedKey}`, record);
  const context = await core.contexts.get(run);
  const expectedSamples = context.prepared.shards[clientId]?.count;
  if (msg.samples !== expectedSamples)
    return no('bad-samples', `client ${clientId} holds ${String(expectedSamples)} samples, update claims ${msg.samples}`, record);
  const bytes = await core.blobs.getBlob(expectedKey);
  if (bytes === null) return no('corrupt', `no update blob at ${expectedKey}`, record);
  let delta: Weights;
  try {
    delta = decodeWeights(bytes, { copy: false });
  } catch (error) {
    return no('corrupt', `update blob does not decode: ${(error as Error).message}`, record);
  }
  const maxL2Norm = run.config.maxUpdateL2Norm;
  const verdict = validateUpdate(await context.global(record.baseVersion), delta, maxL2Norm === undefined ? {} : { maxL2Norm });
  if (!verdict.ok) return no(verdict.reason, verdict.message, record);
  core.metrics.updateBytes.observe(bytes.length);
  return { ok: true, record };
}

/**
 * Validates an `update.ready` and, when it passes, appends it to the round's accepted list in
 * one atomic update. Returns the round record after acceptance, or null when rejected (the
 * rejection is counted by reason and kept in the round record).
 */
export async function acceptUpdate(core: Core, msg: UpdateReady): Promise<RoundRecord | null> {
  const log = core.log.child({ runId: msg.runId, round: msg.round, clientId: msg.clientId });
  const verdict = await check(core, msg);
  let reason = verdict.ok ? undefined : verdict.reason;
  let message = verdict.ok ? '' : verdict.message;
  let accepted: RoundRecord | null = null;
  if (verdict.ok) {
    const entry: AcceptedUpdate = {
      clientId: msg.clientId,
      samples: msg.samples,
      updateKey: msg.updateKey,
      trainSeconds: msg.trainSeconds,
      loss: msg.loss,
      workerId: msg.workerId,
    };
    let added = false;
    accepted = await core.runs.updateRound(msg.runId, msg.round, (r) => {
      added = r.status === 'collecting' && !r.accepted.some((a) => a.clientId === msg.clientId);
      return added ? { ...r, accepted: [...r.accepted, entry] } : undefined;
    });
    if (!added) {
      reason = 'duplicate';
      message = 'lost a race with another update of the same client or the round closed';
      accepted = null;
    }
  }
  if (reason !== undefined) {
    core.metrics.updatesRejectedTotal.inc({ reason });
    log.warn({ reason, detail: message, workerId: msg.workerId }, 'update rejected');
    const record = verdict.ok ? verdict.record : verdict.record;
    if (record !== null) {
      const max = core.options.maxRecordedRejections;
      await core.runs.updateRound(msg.runId, msg.round, (r) =>
        r.rejected.length >= max
          ? undefined
          : { ...r, rejected: [...r.rejected, { clientId: msg.clientId, reason, message: message.slice(0, 500) }] },
      );
    }
    return null;
  }
  log.info({ samples: msg.samples, workerId: msg.workerId }, 'update accepted');
  return accepted;
}
