// tfjs-core alone registers no gradient functions; @fedssd/tensor registers them once on the
// shared tfjs-core instance (these losses and the linear probe are differentiated).
import '@fedssd/tensor';

export type { DsrTarget, DsrForm, DsrOn } from './types.js';
export { alignLoss } from './align.js';
export { uniformityLoss } from './uniformity.js';
export { dsrLoss, dsrDiagonal } from './dsr.js';
export { distillationLoss } from './distillation.js';
export { ssdObjective, type SsdViews, type SsdObjectiveOptions, type SsdLosses } from './objective.js';
export { l2NormalizeRows, stopGradient } from './ops.js';
