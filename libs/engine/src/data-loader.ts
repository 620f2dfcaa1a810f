import type { RunConfig } from '@fedssd/protocol';
import type { LabelledSet } from './prepare.js';

/**
 * How a service gets a run's images: the run's data set, split and an optional limit (first N).
 * Every process must load exactly what `fedssd simulate` loads for the same config, so that
 * `prepareRun` derives the same partition everywhere.
 */
export type DataLoader = (config: RunConfig, split: 'train' | 'test', limit: number | undefined) => Promise<LabelledSet>;
