import type { LossTerms, MetricsRow, RoundOutcome, RoundRecord } from '@fedssd/protocol';

const TERMS = ['total', 'align', 'uniformity', 'dsr', 'pd'] as const;

/** One metrics-history row of a closed round; loss terms are sample-weighted means, as in `simulateRun`. */
export function metricsRowOf(record: RoundRecord, outcome: RoundOutcome, globalVersion: number, durationMs: number): MetricsRow {
  const samples = record.accepted.reduce((n, a) => n + a.samples, 0);
  let loss: LossTerms | null = null;
  if (record.accepted.length > 0) {
    const sum: LossTerms = { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 };
    for (const a of record.accepted) for (const k of TERMS) sum[k] += a.loss[k] * a.samples;
    for (const k of TERMS) sum[k] /= Math.max(1, samples);
    loss = sum;
  }
  const m = record.metrics;
  return {
    round: record.round,
    globalVersion,
    outcome,
    accepted: record.accepted.length,
    rejected: record.rejected.length,
    durationMs,
    samples,
    loss,
    knnAccuracy: m?.knnAccuracy ?? null,
    uniformity: m?.uniformity ?? null,
    effectiveRank: m?.effectiveRank ?? null,
    interClientUniformity: m?.interClientUniformity ?? null,
  };
}
