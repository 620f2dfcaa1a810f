import type { EvalMetrics, MetricsRow } from '@fedssd/protocol';
import type { FinalReport, RoundReport } from './report.js';

/** Batches a client walks through (trainLocal's steps per epoch times epochs, skipped ones included). */
export function stepsFor(count: number, batchSize: number, epochs: number): number {
  return epochs * Math.ceil(count / batchSize);
}

/** A round of the report from its metrics row; `durationMs` is the wall time the simulator measured. */
export function roundReportOf(row: MetricsRow, durationMs: number): RoundReport {
  return {
    round: row.round,
    durationMs,
    participants: row.participants ?? [],
    samples: row.samples,
    samplesPerSecond: row.samplesPerSecond ?? 0,
    loss: row.loss ?? { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 },
    knnAccuracy: row.knnAccuracy,
    uniformity: row.uniformity,
    effectiveRank: row.effectiveRank,
    interClientUniformity: row.interClientUniformity,
  };
}

/** The final block of the report: the last round's evaluation (which trained the linear probe). */
export function finalReportOf(metrics: EvalMetrics | undefined): FinalReport {
  return {
    knnAccuracy: metrics?.knnAccuracy ?? 0,
    linearProbeAccuracy: metrics?.linearProbeAccuracy ?? null,
    uniformity: metrics?.uniformity ?? 0,
    effectiveRank: metrics?.effectiveRank ?? 0,
    interClientUniformity: metrics?.interClientUniformity ?? null,
    subspaceEnergy: metrics?.subspaceEnergy ?? null,
  };
}
