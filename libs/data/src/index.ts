export type { DatasetName, ImageDataset } from './types.js';
export { DataError, type DataErrorCode } from './errors.js';
export { parseIdxImages, parseIdxLabels, type IdxImages } from './idx.js';
export { parseCifar10Batch, type Cifar10Batch } from './cifar10.js';
export { syntheticDataset, type SyntheticOptions } from './synthetic.js';
export { subset, takeFirst } from './select.js';
export { partitionDirichlet, partitionIid, type Partition, type DirichletOptions, type IidOptions } from './partition.js';
export { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES, CIFAR10_CLASS_NAMES } from './class-names.js';
