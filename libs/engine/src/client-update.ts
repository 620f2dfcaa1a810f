import type { TrainingSpec } from '@fedssd/protocol';
import { trainLocal, type LocalTrainResult, type SslModel } from '@fedssd/ssl';
import { subtractWeights } from '@fedssd/fedavg';
import type { Weights } from '@fedssd/tensor';
import type { ClientSsdTarget } from '@fedssd/fedavg';
import { objectiveFor } from './objective.js';

/** A client's local images (NHWC floats in [0, 1]). */
export interface ImageShard {
  readonly images: Float32Array;
  readonly count: number;
  readonly shape: readonly [number, number, number];
}

export interface ClientUpdate {
  readonly clientId: number;
  /** Local weights minus the global weights it started from (BatchNorm statistics included). */
  readonly delta: Weights;
  readonly samples: number;
  readonly train: LocalTrainResult;
}

export interface ClientJobInput {
  readonly round: number;
  readonly clientId: number;
  readonly global: Weights;
  readonly shard: ImageShard;
  readonly target?: ClientSsdTarget;
}

/**
 * One client's round: load the global weights into `model`, train locally as `training` says
 * (see {@link trainingFor}), return the delta. The training seed depends only on (run seed,
 * round, client), so a simulator, a pool trainer and a site produce the same bytes for the same job.
 */
export async function runClientUpdate(
  model: SslModel,
  training: TrainingSpec,
  job: ClientJobInput,
  opts: { signal?: AbortSignal; onProgress?: (p: { epoch: number; step: number; stepsPerEpoch: number; loss: number }) => void } = {},
): Promise<ClientUpdate> {
  model.setWeights(job.global);
  const { objective, dispose } = objectiveFor(training, job.target);
  try {
    const train = await trainLocal(
      model,
      { images: job.shard.images, count: job.shard.count, shape: [job.shard.shape[0], job.shard.shape[1], job.shard.shape[2]] },
      {
        epochs: training.localEpochs,
        batchSize: training.batchSize,
        lr: training.lr,
        momentum: training.momentum,
        weightDecay: training.weightDecay,
        objective,
        seed: training.trainSeed,
      },
      opts,
    );
    const delta = subtractWeights(model.getWeights(), job.global);
    return { clientId: job.clientId, delta, samples: job.shard.count, train };
  } finally {
    dispose();
  }
}
