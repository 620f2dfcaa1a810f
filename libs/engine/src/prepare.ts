import { methodObjective, type RunConfig } from '@fedssd/protocol';
import type { ModelSpec } from '@fedssd/ssl';
import { createSsdTargets, type SsdTargets } from '@fedssd/fedavg';
import { partitionDirichlet } from '@fedssd/data';
import type { ImageShard } from './client-update.js';
import { SimulationError } from './errors.js';
import { selectImages } from './features.js';
import { modelSpecFor } from './model-spec.js';
import { deriveSeed } from './seeds.js';

/** Labelled images as the data readers return them. */
export interface LabelledSet {
  readonly name: string;
  readonly images: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
}

/** Everything a run derives from its config and training data, identically in every process. */
export interface PreparedRun {
  readonly spec: ModelSpec;
  readonly train: ImageShard;
  /** Training-image indices of each client (sorted). */
  readonly partition: { clients: number[][]; histogram: number[][] };
  /** Each client's images. */
  readonly shards: readonly ImageShard[];
  /** SSD targets; for methods without DSR only when they exist for this K and d (mechanism check). */
  readonly targets: SsdTargets | undefined;
}

export function shardOf(set: LabelledSet): ImageShard {
  return { images: set.images, count: set.count, shape: [set.height, set.width, set.channels] };
}

/** SSD targets of a run: required (errors are the user's) for DSR methods, best effort otherwise. */
export function runTargets(config: RunConfig, dim: number): SsdTargets | undefined {
  const build = (): SsdTargets =>
    createSsdTargets({
      dim,
      clients: config.clients,
      sliceSize: config.dsr.sliceSize,
      scale: config.dsr.scale,
      seed: deriveSeed(config.seed, 'targets'),
    });
  if (methodObjective(config.method).dsr) {
    try {
      return build();
    } catch (error) {
      throw new SimulationError('INVALID_CONFIG', (error as Error).message, error);
    }
  }
  try {
    return build();
  } catch {
    return undefined;
  }
}

/**
 * Partition (seeded Dirichlet over the labels, every client at least one batch), per-client
 * shards, model spec and SSD targets. The simulator, the aggregator and every trainer call this
 * with the same config and data and get the same result.
 */
export function prepareRun(config: RunConfig, train: LabelledSet): PreparedRun {
  const shard = shardOf(train);
  const spec = modelSpecFor(config, shard.shape);
  let partition;
  try {
    partition = partitionDirichlet(train.labels, {
      clients: config.clients,
      alpha: config.alpha,
      seed: deriveSeed(config.seed, 'partition'),
      minPerClient: config.batchSize,
    });
  } catch (error) {
    throw new SimulationError(
      'INVALID_CONFIG',
      `${(error as Error).message} (every client needs at least batchSize = ${config.batchSize} images; lower --batch-size, raise --train-limit or --alpha)`,
      error,
    );
  }
  const shards = partition.clients.map((indices) => selectImages(shard, indices));
  return { spec, train: shard, partition, shards, targets: runTargets(config, spec.featureDim) };
}
