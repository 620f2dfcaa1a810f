import type { RunConfig } from '@fedssd/protocol';
import { trainLocal, type LocalTrainResult, type SslModel } from '@fedssd/ssl';
import { subtractWeights } from '@fedssd/fedavg';
import type { Weights } from '@fedssd/tensor';
import { objectiveFor, type ClientTargetData } from './objective.js';
import { deriveSeed } from './seeds.js';

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
  readonly target?: ClientTargetData;
}

/**
 * One client's round: load the global weights into `model`, train locally with the run's method,
 * return the delta. The training seed depends only on (run seed, round, client), so a simulator
 * and a remote trainer produce the same bytes for the same job.
 */
export async function runClientUpdate(
  model: SslModel,
  config: RunConfig,
  job: ClientJobInput,
  opts: { signal?: AbortSignal; onProgress?: (p: { epoch: number; step: number; stepsPerEpoch: number; loss: number }) => void } = {},
): Promise<ClientUpdate> {
  model.setWeights(job.global);
  const { objective, dispose } = objectiveFor(config, job.target);
  try {
    const train = await trainLocal(
      model,
      { images: job.shard.images, count: job.shard.count, shape: [job.shard.shape[0], job.shard.shape[1], job.shard.shape[2]] },
      {
        epochs: config.localEpochs,
        batchSize: config.batchSize,
        lr: config.lr,
        momentum: config.momentum,
        weightDecay: config.weightDecay,
        objective,
        seed: deriveSeed(config.seed, 'train', job.round, job.clientId),
      },
      opts,
    );
    const delta = subtractWeights(model.getWeights(), job.global);
    return { clientId: job.clientId, delta, samples: job.shard.count, train };
  } finally {
    dispose();
  }
}
