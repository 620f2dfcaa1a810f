export { FedAvgError, type FedAvgErrorCode } from './errors.js';
export { createFedAvg, fedAvg, type FedAvgAccumulator, type FedAvgOptions, type ClientUpdate, type WeightedUpdate } from './aggregate.js';
export { FOLD_GROUP_MAX, foldGroup as jsFoldKernel, type FoldKernel } from './fold-kernels.js';
export { assertFoldKernel, defaultFoldKernel, setFoldKernel } from './fold-kernel-choice.js';
export { subtractWeights, addWeights, scaleWeights, l2Norm, assertSameLayout } from './weights-math.js';
export { validateUpdate, type RejectReason, type UpdateVerdict, type ValidateUpdateOptions } from './validate-update.js';
export { sampleClients, type SampleClientsOptions } from './sample-clients.js';
export { createSsdTargets, targetFor, type SsdTargets, type SsdTargetOptions, type ClientSsdTarget } from './ssd-targets.js';
export {
  createExactFedAvg,
  assertExactRange,
  EXACT_FRACTION_BITS,
  EXACT_MAX_ABS_TERM,
  EXACT_MAX_SAMPLES,
  EXACT_MAX_TERMS,
  type ExactFedAvg,
} from './exact-fold.js';
