export { createAggregator, type Aggregator } from './aggregator.js';
export { systemClock, type AggregatorDeps, type AggregatorOptions, type Clock, type Evaluator } from './deps.js';
export { createEngineEvaluator } from './evaluator.js';
export type { RunContext } from './run-context.js';
export type { UpdateRejectReason } from './accept-update.js';
export { selectClients } from './open-round.js';
