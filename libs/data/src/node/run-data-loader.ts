import { loadDataset } from '@fedssd/data/node';
import type { DataLoader } from './deps.js';

/**
 * Loads a run's data exactly as `fedssd simulate` does (same name, directory and seed), so the
 * partition and shards every process derives with `prepareRun` agree with the simulator's.
 */
export function createDatasetLoader(): DataLoader {
  return (config, split, limit) =>
    loadDataset({
      name: config.dataset,
      split,
      ...(config.dataDir ? { dataDir: config.dataDir } : {}),
      ...(limit !== undefined ? { limit } : {}),
      seed: config.seed,
    });
}
