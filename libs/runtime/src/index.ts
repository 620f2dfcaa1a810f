export { createAggregator, type Aggregator } from './aggregator/aggregator.js';
export {
  systemClock,
  type AggregatorDeps,
  type AggregatorOptions,
  type Clock,
  type Evaluator,
  type EvaluationRequest,
} from './aggregator/deps.js';
export { createEngineEvaluator, type EngineEvaluatorOptions } from './aggregator/evaluator.js';
export type { RunContext } from './aggregator/run-context.js';
export { checkUpdateContent, UPDATE_REJECT_REASONS, type UpdateRejectReason } from './aggregator/check-update.js';
export { createRoundFolds, type RoundFolds } from './aggregator/round-fold.js';
export { createTrainer, type Trainer, type TrainerDeps, type TrainerState } from './trainer/trainer.js';
export { handleJob, JOB_OUTCOMES, type JobDeps, type JobOutcome, type JobProgress } from './trainer/handle-job.js';
export { createRunCache, type RunCache, type RunEntry } from './trainer/run-cache.js';
export { simulateRun, type SimulationHooks, type SimulationOptions, type SimulationResult } from './simulate/simulate-run.js';
export type { SimulationReport, RoundReport, FinalReport, PartitionReport } from './simulate/report.js';
export { CheckpointError, readCheckpointMeta, type CheckpointMeta } from './simulate/checkpoint.js';
export { createSiteTrainer, type SiteTrainerDeps } from './site/site-trainer.js';
export { handleSiteJob, type SiteJobDeps } from './site/handle-site-job.js';
export { type FederationDeps, type SiteJobPublisher, type SiteMessageSource } from './aggregator/deps.js';
export { type OperatorEvalSet } from './aggregator/evaluator.js';
