import './register-gradients.js';
export { createRng, deriveRng, type Rng } from './rng.js';
export { sizeOf, normaliseWeights, cloneWeights, type WeightTensor, type Weights } from './weights.js';
export { TRAINING_NODE_FLAGS, gcThreadsNote } from './gc-threads.js';
export { initBackend, currentBackend, type BackendInfo, type BackendPreference } from './backend.js';
export {
  registerWasmGradKernels,
  wasmGradKernelConfigs,
  conv2dBackpropFilterFromOps,
  unsortedSegmentSumFromOps,
} from './wasm-kernels/index.js';
export {
  encodeWeights,
  decodeWeights,
  weightsByteLength,
  CodecError,
  crc32c,
  setCrc32,
  type Crc32Function,
  type EncodeOptions,
  type DecodeOptions,
  type WeightsDtype,
  type CodecErrorCode,
} from './codec.js';
export { assertMatrix, assertPositive } from './checks.js';
