/**
 * The exchanged model state: every trainable tensor plus BatchNorm running statistics,
 * as plain float32 arrays with stable names, sorted by name. This is what FedAvg averages,
 * what the codec serialises and what trainers and the aggregator pass around.
 */
export interface WeightTensor {
  /** Stable, human-readable name, e.g. `encoder.stem.conv.kernel`, `projector.bn.runningMean`. */
  readonly name: string;
  /** TF.js layout (conv kernels are [kh, kw, in, out]). */
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Ordered by `name`, unique names. */
export type Weights = readonly WeightTensor[];

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const dim of shape) n *= dim;
  return n;
}

/** Sorts by name and checks that names are unique and sizes match shapes. */
export function normaliseWeights(weights: readonly WeightTensor[]): Weights {
  const sorted = [...weights].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 0; i < sorted.length; i += 1) {
    const w = sorted[i] as WeightTensor;
    if (i > 0 && (sorted[i - 1] as WeightTensor).name === w.name) throw new Error(`duplicate weight name ${w.name}`);
    if (sizeOf(w.shape) !== w.values.length) {
      throw new Error(`weight ${w.name}: shape [${w.shape.join(',')}] needs ${sizeOf(w.shape)} values, has ${w.values.length}`);
    }
  }
  return sorted;
}

/** Deep copy. */
export function cloneWeights(weights: Weights): Weights {
  return weights.map((w) => ({ name: w.name, shape: [...w.shape], values: new Float32Array(w.values) }));
}
