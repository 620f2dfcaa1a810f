export { createRng, deriveRng, type Rng } from './rng.js';
export { sizeOf, normaliseWeights, cloneWeights, type WeightTensor, type Weights } from './weights.js';
