// tfjs-core alone registers no gradient functions; @fedssd/tensor registers them once on the
// shared tfjs-core instance (these losses and the linear probe are differentiated).
import '@fedssd/tensor';

export { uniformityMetric, interClientUniformity } from './uniformity.js';
export { effectiveRank, singularValues } from './effective-rank.js';
export { knnClassify, knnAccuracy, type KnnOptions } from './knn.js';
export { linearProbe, type LinearProbeOptions, type LinearProbeResult } from './linear-probe.js';
export { subspaceEnergy, type ClientEnergy, type SubspaceEnergyResult } from './subspace-energy.js';
export { l2NormalizeRows } from './normalize.js';
