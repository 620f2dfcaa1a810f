import type { RunConfig, SiteOverrides, TrainingSpec } from '@fedssd/protocol';
import type { ModelSpec } from '@fedssd/ssl';
import { deriveSeed } from './seeds.js';

/**
 * How one job trains, from the run config: the method's losses, the optimiser settings (with a
 * site's overrides in federated mode), the model spec and the training seed of this (round,
 * client). The simulation trainer computes it from the run record, the aggregator puts it in a
 * federated site's job; either way a client's update is the same bytes.
 */
export function trainingFor(
  config: RunConfig,
  spec: ModelSpec,
  round: number,
  clientId: number,
  overrides: SiteOverrides = {},
): TrainingSpec {
  return {
    method: config.method,
    spec: {
      kind: spec.kind,
      inputShape: [...spec.inputShape],
      featureDim: spec.featureDim,
      ...(spec.width !== undefined ? { width: spec.width } : {}),
    },
    localEpochs: overrides.localEpochs ?? config.localEpochs,
    batchSize: overrides.batchSize ?? config.batchSize,
    lr: config.lr,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    uniformity: config.uniformity,
    dsr: config.dsr,
    pd: config.pd,
    trainSeed: deriveSeed(config.seed, 'train', round, clientId),
    wirePrecision: config.wirePrecision,
  };
}
