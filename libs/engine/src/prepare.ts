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

/** A run's data split: model spec, the training images, the partition and each client's shard. */
export type PartitionedRun = Omit<PreparedRun, 'targets'>;

/**
 * Partition (seeded Dirichlet over the labels, every client at least one batch), per-client
 * shards and the model spec: what a trainer in simulation mode needs. Every process calls this
 * with the same config and data and gets the same result.
 */
export function partitionRun(config: RunConfig, train: LabelledSet): PartitionedRun {
  // Memoised per data set object: the simulator runs the aggregator and a trainer in one process,
  // and both need the same shards; one copy of the images per client is enough.
  const key = JSON.stringify([config.clients, config.alpha, config.seed, config.batchSize, config.model, config.modelWidth ?? null]);
  const byConfig = partitions.get(train) ?? new Map<string, PartitionedRun>();
  partitions.set(train, byConfig);
  const cached = byConfig.get(key);
  if (cached !== undefined) return cached;
  const result = computePartition(config, train);
  byConfig.set(key, result);
  return result;
}

const partitions = new WeakMap<LabelledSet, Map<string, PartitionedRun>>();

function computePartition(config: RunConfig, train: LabelledSet): PartitionedRun {
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
  return { spec, train: shard, partition, shards };
}

/**
 * The partition plus the run's SSD targets: what the aggregator derives once per run (it stores
 * the targets for the trainers, which never derive them themselves).
 */
export function prepareRun(config: RunConfig, train: LabelledSet): PreparedRun {
  const partitioned = partitionRun(config, train);
  return { ...partitioned, targets: runTargets(config, partitioned.spec.featureDim) };
}
