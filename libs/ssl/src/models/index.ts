export { createModel, type SslModel } from './model.js';
export { defaultSpec, isSmallKind, resolveSpec, type ModelKind, type ModelSpec } from './spec.js';
export {
  BATCH_NORM_TRAIN_GRAD_KERNEL,
  BATCH_NORM_TRAIN_KERNEL,
  batchNormTrain,
  type BatchNormTrainOptions,
  type BatchNormTrainResult,
} from './batch-norm-train.js';
export { RELU_GRAD_KERNEL } from './eager-ops.js';
export { CONV_BN_KERNEL, convBnInference } from './conv-bn-inference.js';
