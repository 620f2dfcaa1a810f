export { deriveSeed } from './seeds.js';
export { modelSpecFor } from './model-spec.js';
export { objectiveFor, type ClientTargetData } from './objective.js';
export { runClientUpdate, type ClientUpdate, type ClientJobInput, type ImageShard } from './client-update.js';
export { extractFeatures, selectImages, type Features } from './features.js';
export { evaluateModel, type EvalSets, type EvalOptions, type EvalMetrics, type SubspaceEnergySummary } from './evaluate.js';
export { simulateRun, type LabelledSet, type SimulationHooks, type SimulationOptions } from './simulate.js';
export type { SimulationReport, RoundReport, FinalReport, LossTerms, PartitionReport } from './report.js';
export { SimulationError, type SimulationErrorCode } from './errors.js';
