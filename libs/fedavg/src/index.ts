export { FedAvgError, type FedAvgErrorCode } from './errors.js';
export { createFedAvg, fedAvg, type FedAvgAccumulator, type ClientUpdate, type WeightedUpdate } from './aggregate.js';
export { FOLD_GROUP_MAX } from './fold-kernels.js';
export { subtractWeights, addWeights, scaleWeights, l2Norm, assertSameLayout } from './weights-math.js';
export { validateUpdate, type RejectReason, type UpdateVerdict, type ValidateUpdateOptions } from './validate-update.js';
export { sampleClients, type SampleClientsOptions } from './sample-clients.js';
export { createSsdTargets, targetFor, type SsdTargets, type SsdTargetOptions, type ClientSsdTarget } from './ssd-targets.js';
