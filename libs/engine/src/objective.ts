import * as tf from '@tensorflow/tfjs-core';
import { methodObjective, type TrainingSpec } from '@fedssd/protocol';
import type { ClientSsdTarget } from '@fedssd/fedavg';
import type { LocalTrainConfig } from '@fedssd/ssl';

/**
 * The local objective of a run's method for one client. Returns the config and a disposer for
 * the basis tensor it allocates (DSR only).
 */
export function objectiveFor(
  config: Pick<TrainingSpec, 'method' | 'uniformity' | 'dsr' | 'pd'>,
  target: ClientSsdTarget | undefined,
): { objective: LocalTrainConfig['objective']; dispose(): void } {
  const on = methodObjective(config.method);
  if (on.dsr && !target) throw new Error(`method ${config.method} needs a DSR target for every client`);
  const basis = on.dsr && target ? tf.tensor2d(target.basisValues, [target.dim, target.dim]) : undefined;
  const objective: LocalTrainConfig['objective'] = {
    uniformity: config.uniformity,
    ...(basis && target
      ? {
          dsr: {
            coeff: config.dsr.coeff,
            form: config.dsr.form,
            on: config.dsr.on ?? 'z',
            target: { basis, slice: [...target.slice], scale: target.scale },
          },
        }
      : {}),
    ...(on.pd ? { pd: { coeff: config.pd.coeff, temperature: config.pd.temperature } } : {}),
  };
  return { objective, dispose: () => basis?.dispose() };
}
