import { DataError } from './errors.js';
import type { ImageDataset } from './types.js';

/** The images at `indices` (in that order, repeats allowed) as a new data set with copied arrays. */
export function subset(dataset: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const size = dataset.height * dataset.width * dataset.channels;
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i += 1) {
    const index = indices[i] as number;
    if (!Number.isInteger(index) || index < 0 || index >= dataset.count) {
      throw new DataError('INVALID_OPTION', `indices[${i}] must be an integer in [0, ${dataset.count}) (got ${index})`);
    }
    images.set(dataset.images.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = dataset.labels[index] as number;
  }
  return { ...dataset, images, labels, count: indices.length, classNames: [...dataset.classNames] };
}

/** The first `n` images (all of them when `n ≥ count`), copied. */
export function takeFirst(dataset: ImageDataset, n: number): ImageDataset {
  if (!Number.isInteger(n) || n < 0) throw new DataError('INVALID_OPTION', `n must be an integer ≥ 0 (got ${n})`);
  const count = Math.min(n, dataset.count);
  const size = dataset.height * dataset.width * dataset.channels;
  return {
    ...dataset,
    images: dataset.images.slice(0, count * size),
    labels: dataset.labels.slice(0, count),
    count,
    classNames: [...dataset.classNames],
  };
}
