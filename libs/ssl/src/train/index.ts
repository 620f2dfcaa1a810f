export { trainLocal } from './train-local.js';
export { createSgd, type Sgd, type SgdOptions } from './sgd.js';
export {
  validateLocalTrain,
  type LocalData,
  type LocalLossSummary,
  type LocalObjective,
  type LocalTrainConfig,
  type LocalTrainOptions,
  type LocalTrainResult,
} from './config.js';
