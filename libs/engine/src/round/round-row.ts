import type { LossTerms, MetricsRow, RoundRecord } from '@fedssd/protocol';

const TERMS = ['total', 'align', 'uniformity', 'dsr', 'pd'] as const;

/** Sample-weighted mean loss terms of a round's accepted updates; null when none was accepted. */
export function roundLoss(record: Pick<RoundRecord, 'accepted'>): LossTerms | null {
  if (record.accepted.length === 0) return null;
  const sum: LossTerms = { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 };
  let samples = 0;
  // Client-id order, so the float sum is the same whatever order the updates arrived in.
  for (const a of [...record.accepted].sort((x, y) => x.clientId - y.clientId)) {
    for (const k of TERMS) sum[k] += a.loss[k] * a.samples;
    samples += a.samples;
  }
  for (const k of TERMS) sum[k] /= Math.max(1, samples);
  return sum;
}

/** Images trained per second of local training over the accepted updates (null when unknown). */
function samplesPerSecond(record: RoundRecord): number | null {
  let processed = 0;
  let seconds = 0;
  for (const a of record.accepted) {
    if (a.samplesProcessed === undefined) return null;
    processed += a.samplesProcessed;
    seconds += a.trainSeconds;
  }
  return seconds > 0 ? processed / seconds : null;
}

/** The metrics-history row of a closed round (one per round; the report and the api read these). */
export function metricsRowOf(record: RoundRecord): MetricsRow {
  const m = record.metrics;
  const durationMs = Math.max(0, Date.parse(record.closedAt ?? record.openedAt) - Date.parse(record.openedAt));
  return {
    round: record.round,
    globalVersion: record.globalVersion ?? record.baseVersion,
    outcome: record.outcome ?? 'failed',
    accepted: record.accepted.length,
    rejected: record.rejected.length,
    durationMs,
    samples: record.accepted.reduce((n, a) => n + a.samples, 0),
    loss: roundLoss(record),
    knnAccuracy: m?.knnAccuracy ?? null,
    uniformity: m?.uniformity ?? null,
    effectiveRank: m?.effectiveRank ?? null,
    interClientUniformity: m?.interClientUniformity ?? null,
    linearProbeAccuracy: m?.linearProbeAccuracy ?? null,
    participants: record.accepted.map((a) => a.clientId).sort((x, y) => x - y),
    ...(record.failed !== undefined && record.failed.length > 0 ? { failed: record.failed.map((f) => f.clientId) } : {}),
    samplesPerSecond: samplesPerSecond(record),
  };
}
