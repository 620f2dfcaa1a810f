import { deriveSeed, evalSetsFor, evaluateModel, shardOf, type EvalOptions, type EvalSets, type LabelledSet } from '@fedssd/engine';
import type { EvalMetrics } from '@fedssd/protocol';
import { createModel } from '@fedssd/ssl';
import type { Evaluator } from './deps.js';
import type { RunContext } from './run-context.js';

/** An evaluation set the operator provides for federated runs: kNN bank / probe training images and queries, with labels. */
export interface OperatorEvalSet {
  readonly train: LabelledSet;
  readonly test: LabelledSet;
}

/** Options of {@link createEngineEvaluator}. */
export interface EngineEvaluatorOptions {
  /** Images per client for inter-client uniformity and the mechanism check. */
  readonly perClientEvalLimit: number;
  /** Linear-probe epochs in the final evaluation; 0 (the services' default) skips the probe. */
  readonly probeEpochs?: number;
  /** kNN neighbours (default: the engine's choice by bank size). */
  readonly knnK?: number;
  /** Called before each evaluation (the simulator's progress line). */
  readonly onEvaluating?: (request: { round: number; final: boolean }) => void;
  /** Federated runs: the operator's labelled evaluation set, if one is configured (the server holds no client data). */
  readonly operatorEvalSet?: () => Promise<OperatorEvalSet | undefined>;
}

const NOTHING: EvalMetrics = {
  knnAccuracy: null,
  uniformity: null,
  effectiveRank: null,
  interClientUniformity: null,
  subspaceEnergy: null,
  linearProbeAccuracy: null,
};

/** The evaluation sets of a run: the partitioned data in simulation mode, the operator's set (no client images) in federated mode. */
async function setsFor(context: RunContext, opts: EngineEvaluatorOptions): Promise<EvalSets | undefined> {
  const sim = context.simulation;
  if (sim !== undefined) return evalSetsFor(context.config, sim.prepared, sim.train, await sim.testSet(), opts.perClientEvalLimit);
  const operator = await opts.operatorEvalSet?.();
  if (operator === undefined) return undefined;
  return {
    bank: { shard: shardOf(operator.train), labels: operator.train.labels },
    test: { shard: shardOf(operator.test), labels: operator.test.labels },
    classes: operator.train.classes,
    perClient: [],
  };
}

/**
 * Evaluation of a global model, the same for the services and `fedssd simulate`: kNN bank = the
 * run's training images, queries = the held-out split, inter-client uniformity on the first
 * `perClientEvalLimit` images of each client, subspace energy against the run's targets, and a
 * linear probe in the final evaluation when `probeEpochs` > 0 (it costs more than a round, so the
 * services leave it to offline evaluation). Federated runs are evaluated on the operator's set
 * only (kNN, uniformity, effective rank; the sites report their own label-free metrics), or not
 * at all when none is configured.
 */
export function createEngineEvaluator(opts: EngineEvaluatorOptions): Evaluator {
  return async (weights, context, request) => {
    const sets = await setsFor(context, opts);
    if (sets === undefined) return NOTHING;
    opts.onEvaluating?.(request);
    const probeEpochs = opts.probeEpochs ?? 0;
    const evalOptions: EvalOptions = {
      ...(opts.knnK !== undefined ? { knnK: opts.knnK } : {}),
      ...(request.final && probeEpochs > 0 ? { probe: { epochs: probeEpochs, seed: deriveSeed(context.config.seed, 'probe') } } : {}),
    };
    // The initial weights are overwritten at once; the seed only has to be an integer.
    const model = createModel(context.spec, 0);
    try {
      model.setWeights(weights);
      return await evaluateModel(model, sets, evalOptions);
    } finally {
      model.dispose();
    }
  };
}
