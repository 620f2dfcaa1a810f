export { augmentBatch } from './augment-batch.js';
export { defaultPolicyFor, resolvePolicy, type AugmentParams, type AugmentPolicy, type AugmentPolicyName } from './policy.js';
