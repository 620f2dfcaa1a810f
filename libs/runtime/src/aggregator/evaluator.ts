import { deriveSeed, evalSetsFor, evaluateModel, type EvalOptions } from '@fedssd/engine';
import { createModel } from '@fedssd/ssl';
import type { Evaluator } from './deps.js';

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
}

/**
 * Evaluation of a global model, the same for the services and `fedssd simulate`: kNN bank = the
 * run's training images, queries = the held-out split, inter-client uniformity on the first
 * `perClientEvalLimit` images of each client, subspace energy against the run's targets, and a
 * linear probe in the final evaluation when `probeEpochs` > 0 (it costs more than a round, so the
 * services leave it to offline evaluation).
 */
export function createEngineEvaluator(opts: EngineEvaluatorOptions): Evaluator {
  return async (weights, context, request) => {
    opts.onEvaluating?.(request);
    const { prepared, train } = context;
    const test = await context.testSet();
    const sets = evalSetsFor(context.config, prepared, train, test, opts.perClientEvalLimit);
    const probeEpochs = opts.probeEpochs ?? 0;
    const evalOptions: EvalOptions = {
      ...(opts.knnK !== undefined ? { knnK: opts.knnK } : {}),
      ...(request.final && probeEpochs > 0 ? { probe: { epochs: probeEpochs, seed: deriveSeed(context.config.seed, 'probe') } } : {}),
    };
    // The initial weights are overwritten at once; the seed only has to be an integer.
    const model = createModel(prepared.spec, 0);
    try {
      model.setWeights(weights);
      return await evaluateModel(model, sets, evalOptions);
    } finally {
      model.dispose();
    }
  };
}
