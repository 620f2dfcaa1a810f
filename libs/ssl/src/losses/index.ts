// tfjs-core alone registers no gradient functions (the @tensorflow/tfjs umbrella normally does);
// these losses are meant to be differentiated, so make sure the gradients exist. Idempotent.
import '@fedssd/tensor';

export type { DsrTarget, DsrForm } from './types.js';
export { alignLoss } from './align.js';
export { uniformityLoss } from './uniformity.js';
export { dsrLoss, dsrDiagonal } from './dsr.js';
export { distillationLoss } from './distillation.js';
export { ssdObjective, type SsdViews, type SsdObjectiveOptions, type SsdLosses } from './objective.js';
export { l2NormalizeRows, stopGradient } from './ops.js';
