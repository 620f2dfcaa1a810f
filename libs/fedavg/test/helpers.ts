import { createRng, normaliseWeights, type Weights } from '@fedssd/tensor';

/** A small model-like layout: a conv kernel, a bias and BatchNorm running statistics. */
export function randomWeights(seed: number, scale = 1): Weights {
  const rng = createRng(seed);
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * scale);
  return normaliseWeights([
    { name: 'encoder.conv.kernel', shape: [3, 3, 1, 4], values: fill(36) },
    { name: 'encoder.conv.bias', shape: [4], values: fill(4) },
    { name: 'encoder.bn.runningMean', shape: [4], values: fill(4) },
    { name: 'encoder.bn.runningVariance', shape: [4], values: fill(4).map(Math.abs) },
  ]);
}
