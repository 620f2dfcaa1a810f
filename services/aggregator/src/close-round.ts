import { addWeights, createFedAvg, FOLD_GROUP_MAX, type WeightedUpdate } from '@fedssd/fedavg';
import { MESSAGE_VERSION, updateKey, type EvalMetrics, type RoundOutcome, type RoundRecord, type RunRecord } from '@fedssd/protocol';
import { decodeWeights, encodeWeights } from '@fedssd/tensor';
import type { Core } from './core.js';
import { metricsRowOf } from './metrics-row.js';
import type { RunContext } from './run-context.js';
import { advance } from './run-end.js';

/**
 * Moves a collecting round to 'aggregating' with its outcome, then finishes it. A round already
 * past collecting is left alone (a late timer, a second trigger); call {@link finishRound} to
 * redo an interrupted one.
 */
export async function closeRound(core: Core, runId: string, round: number, outcome: RoundOutcome): Promise<void> {
  const run = await core.runs.getRun(runId);
  if (run === null || run.currentRound !== round) return;
  const record = await core.runs.updateRound(runId, round, (r) =>
    r.status === 'open' || r.status === 'collecting' ? { ...r, status: 'aggregating', outcome, closedAt: core.isoNow() } : undefined,
  );
  if (record === null || record.status !== 'aggregating' || record.outcome !== outcome) return;
  core.timers.clear(runId);
  const current = await core.runs.updateRun(runId, (r) => ({ ...r, roundStatus: 'aggregating', updatedAt: core.isoNow() }));
  core.log.info({ runId, round, outcome, accepted: record.accepted.length, selected: record.selected.length }, 'round closing');
  await finishRound(core, current, record);
}

/**
 * FedAvg of the accepted updates in ascending client-id order, each blob read once. Blobs are
 * read and folded FOLD_GROUP_MAX at a time: one pass over the sums per group (same bytes as one
 * by one) while at most that many decoded updates are held at once.
 */
async function aggregate(core: Core, context: RunContext, record: RoundRecord) {
  const global = await context.global(record.baseVersion);
  const fold = createFedAvg(global);
  const ordered = [...record.accepted].sort((a, b) => a.clientId - b.clientId);
  for (let g = 0; g < ordered.length; g += FOLD_GROUP_MAX) {
    const group: WeightedUpdate[] = [];
    for (const update of ordered.slice(g, g + FOLD_GROUP_MAX)) {
      const bytes = await core.blobs.getBlob(update.updateKey);
      if (bytes === null) throw new Error(`update blob ${update.updateKey} vanished before aggregation`);
      group.push({ weights: decodeWeights(bytes, { copy: false }), samples: update.samples });
    }
    fold.addAll(group);
  }
  return addWeights(global, fold.result());
}

/**
 * 'aggregating' -> 'evaluated' -> 'closed', then {@link advance}. Safe to redo after a crash at
 * any point: the new model has the same bytes, the metrics row is appended once, events may
 * repeat (consumers treat them as notifications).
 */
export async function finishRound(core: Core, run: RunRecord, start: RoundRecord): Promise<void> {
  const { runId, config } = run;
  const { round } = start;
  let record = start;
  const outcome = record.outcome ?? 'failed';
  if (record.status === 'aggregating') {
    const context = await core.contexts.get(run);
    let version = record.baseVersion;
    if (record.accepted.length > 0 && outcome !== 'stopped') {
      const next = await aggregate(core, context, record);
      version = record.baseVersion + 1;
      await core.runs.putModel(runId, version, encodeWeights(next));
    }
    let metrics: EvalMetrics | undefined;
    let evalSeconds = 0;
    if (outcome !== 'stopped' && (round % config.evalEvery === 0 || round === config.rounds)) {
      const started = performance.now();
      const m = await core.evaluate(await context.global(version), context);
      evalSeconds = (performance.now() - started) / 1000;
      metrics = {
        knnAccuracy: m.knnAccuracy,
        uniformity: m.uniformity,
        effectiveRank: m.effectiveRank,
        interClientUniformity: m.interClientUniformity,
      };
      core.log.info({ runId, round, version, evalSeconds, ...metrics }, 'round evaluated');
    }
    const evaluated = await core.runs.updateRound(runId, round, (r) =>
      r.status === 'aggregating' ? { ...r, status: 'evaluated', globalVersion: version, ...(metrics ? { metrics } : {}) } : undefined,
    );
    if (evaluated === null) return;
    record = evaluated;
    if (metrics) {
      core.metrics.setRunEvaluation({ runId, method: config.method }, metrics);
      await core.bus.publish({
        type: 'round.evaluated',
        version: MESSAGE_VERSION,
        runId,
        sentAt: core.clock.now(),
        round,
        globalVersion: version,
        metrics,
        evalSeconds,
      });
    }
  }
  if (record.status !== 'evaluated') return;
  const version = record.globalVersion ?? record.baseVersion;
  const rows = await core.runs.listMetrics(runId);
  const durationMs = Math.max(0, Date.parse(record.closedAt ?? core.isoNow()) - Date.parse(record.openedAt));
  if (!rows.some((row) => row.round === round)) await core.runs.appendMetrics(runId, metricsRowOf(record, outcome, version, durationMs));
  // The updates are folded into the new version: keep them an hour for inspection, then let Redis drop them.
  for (const clientId of record.selected) await core.blobs.expire(updateKey(runId, round, clientId), core.options.updateTtlSeconds);
  await core.runs.updateRound(runId, round, (r) => (r.status === 'evaluated' ? { ...r, status: 'closed' } : undefined));
  const current = await core.runs.updateRun(runId, (r) => ({
    ...r,
    globalVersion: version,
    roundStatus: 'closed',
    updatedAt: core.isoNow(),
  }));
  core.metrics.roundsTotal.inc({ outcome });
  core.metrics.roundDurationSeconds.observe(durationMs / 1000);
  const rejectedByReason: Record<string, number> = {};
  for (const r of record.rejected) rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;
  await core.bus.publish({
    type: 'round.closed',
    version: MESSAGE_VERSION,
    runId,
    sentAt: core.clock.now(),
    round,
    outcome,
    accepted: record.accepted.length,
    rejected: record.rejected.length,
    rejectedByReason,
    globalVersion: version,
    durationMs,
  });
  core.log.info({ runId, round, outcome, globalVersion: version, durationMs }, 'round closed');
  await advance(core, current);
}
