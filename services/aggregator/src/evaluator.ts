import { evalSetsFor, evaluateModel } from '@fedssd/engine';
import { createModel } from '@fedssd/ssl';
import type { Evaluator } from './deps.js';

/**
 * Server-side evaluation exactly as `simulateRun` sets it up: kNN bank = the run's training
 * images, queries = the held-out split (bounded), inter-client uniformity on the first
 * `perClientEvalLimit` images of each client, subspace energy against the run's targets. The
 * linear probe is left to offline evaluation (it costs more than a round here).
 */
export function createEngineEvaluator(opts: { perClientEvalLimit: number }): Evaluator {
  return async (weights, context) => {
    const { prepared, train } = context;
    const test = await context.testSet();
    const sets = evalSetsFor(context.config, prepared, train, test, opts.perClientEvalLimit);
    // The initial weights are overwritten at once; the seed only has to be an integer.
    const model = createModel(prepared.spec, 0);
    try {
      model.setWeights(weights);
      return await evaluateModel(model, sets);
    } finally {
      model.dispose();
    }
  };
}
