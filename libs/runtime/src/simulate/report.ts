import type { LossTerms, RunConfig, SubspaceEnergySummary } from '@fedssd/protocol';

export interface RoundReport {
  round: number;
  durationMs: number;
  participants: number[];
  samples: number;
  samplesPerSecond: number;
  loss: LossTerms;
  /** null on rounds that were not evaluated (see `evalEvery`). */
  knnAccuracy: number | null;
  uniformity: number | null;
  effectiveRank: number | null;
  interClientUniformity: number | null;
}

export interface FinalReport {
  knnAccuracy: number;
  linearProbeAccuracy: number | null;
  uniformity: number;
  effectiveRank: number;
  interClientUniformity: number | null;
  subspaceEnergy: SubspaceEnergySummary | null;
}

export interface PartitionReport {
  kind: 'dirichlet';
  alpha: number;
  clients: Array<{ id: number; samples: number; histogram: number[] }>;
}

/** What `fedssd simulate` writes to `--out`. */
export interface SimulationReport {
  config: RunConfig;
  environment: { backend: string; dataset: string; trainImages: number; testImages: number; modelParameters: number };
  partition: PartitionReport;
  rounds: RoundReport[];
  final: FinalReport;
  durationMs: number;
}
