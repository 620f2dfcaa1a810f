import type { DatasetName, ImageDataset } from '../types.js';
import { loadDataset } from './load-dataset.js';

/** The fields of a run config that decide which images a run trains and evaluates on. */
export interface RunDataSource {
  readonly dataset: DatasetName;
  readonly dataDir?: string | undefined;
  readonly seed: number;
}

/**
 * Loads a run's data exactly as `fedssd simulate` does (same name, directory and seed), so the
 * partition every process derives with the engine's `prepareRun` agrees with the simulator's.
 */
export function createDatasetLoader(): (
  source: RunDataSource,
  split: 'train' | 'test',
  limit: number | undefined,
) => Promise<ImageDataset> {
  return (source, split, limit) =>
    loadDataset({
      name: source.dataset,
      split,
      ...(source.dataDir ? { dataDir: source.dataDir } : {}),
      ...(limit !== undefined ? { limit } : {}),
      seed: source.seed,
    });
}
