import { join } from 'node:path';
import { CIFAR10_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from '../class-names.js';
import { parseCifar10Batch } from '../cifar10.js';
import { DataError, requireInt } from '../errors.js';
import { parseIdxImages, parseIdxLabels } from '../idx.js';
import { syntheticDataset, type SyntheticOptions } from '../synthetic.js';
import type { DatasetName, ImageDataset } from '../types.js';
import { findFirst, readMaybeGzipped } from './read-bytes.js';

/** Where Debian's `dataset-fashion-mnist` package installs the gzipped IDX files. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  name: DatasetName;
  split: 'train' | 'test';
  /** Folder holding the files. Default only for fashion-mnist ({@link DEFAULT_FASHION_MNIST_DIR}); required for mnist and cifar10. */
  dataDir?: string;
  /** Keep only the first N images (integer ≥ 1). For `synthetic` this is the image count (default 10,000 train / 2,000 test). */
  limit?: number;
  /** Seed of the synthetic set (default 0); ignored by the file-backed sets. */
  seed?: number;
  /** Shape overrides for `synthetic` (e.g. 32×32×3 for the CIFAR-shaped path). */
  synthetic?: Pick<SyntheticOptions, 'height' | 'width' | 'channels' | 'classes'>;
}

function notFound(name: DatasetName, dir: string | undefined, expected: string[], howTo: string): DataError {
  const where = dir === undefined ? 'no data directory was given' : `searched ${dir}`;
  return new DataError('DATASET_NOT_FOUND', `${name} data set not found: ${where}, expected ${expected.join(', ')}. ${howTo}`);
}

async function loadIdx(options: LoadDatasetOptions, dir: string | undefined, classNames: readonly string[]): Promise<ImageDataset> {
  const prefix = options.split === 'train' ? 'train' : 't10k';
  const variants = (kind: 'images-idx3' | 'labels-idx1'): string[] => [
    `${prefix}-${kind}-ubyte`,
    `${prefix}-${kind}-ubyte.gz`,
    `${prefix}-${kind.replace('-', '.')}-ubyte`, // some mirrors use train-images.idx3-ubyte
  ];
  const imageNames = variants('images-idx3');
  const labelNames = variants('labels-idx1');
  const howTo =
    options.name === 'fashion-mnist'
      ? 'Install it with `apt-get install dataset-fashion-mnist`, or pass --data-dir pointing at a folder with those files.'
      : 'Download the four IDX files (gzipped or not) into a folder and pass it with --data-dir.';
  const imagesPath = dir === undefined ? undefined : await findFirst([dir], imageNames);
  const labelsPath = dir === undefined ? undefined : await findFirst([dir], labelNames);
  if (imagesPath === undefined || labelsPath === undefined) {
    throw notFound(
      options.name,
      dir,
      [imageNames[1] as string, labelNames[1] as string].map((n) => `${n} (or unzipped)`),
      howTo,
    );
  }
  const limit = options.limit === undefined ? {} : { limit: options.limit };
  const parsed = parseIdxImages(await readMaybeGzipped(imagesPath), limit);
  const labels = parseIdxLabels(await readMaybeGzipped(labelsPath), limit);
  if (labels.length !== parsed.count) {
    throw new DataError(
      'CORRUPT_FILE',
      `corrupt IDX file: ${parsed.count} images in ${imagesPath} but ${labels.length} labels in ${labelsPath}`,
    );
  }
  const { count, height, width, images } = parsed;
  const classes = classNames.length;
  return {
    name: options.name,
    split: options.split,
    images,
    labels,
    count,
    height,
    width,
    channels: 1,
    classes,
    classNames: [...classNames],
  };
}

async function loadCifar10(options: LoadDatasetOptions, dir: string | undefined): Promise<ImageDataset> {
  const names = options.split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const dirs = dir === undefined ? [] : [dir, join(dir, 'cifar-10-batches-bin')];
  const paths: string[] = [];
  for (const name of names) {
    const path = await findFirst(dirs, [name]);
    if (path === undefined) {
      throw notFound(
        'cifar10',
        dir === undefined ? undefined : `${dir} and ${join(dir, 'cifar-10-batches-bin')}`,
        names,
        'Download the CIFAR-10 binary version (cifar-10-binary.tar.gz), unpack it and pass the folder with --data-dir.',
      );
    }
    paths.push(path);
  }
  const wanted = options.limit ?? Number.POSITIVE_INFINITY;
  const batches = [];
  let count = 0;
  for (const path of paths) {
    if (count >= wanted) break;
    const batch = parseCifar10Batch(await readMaybeGzipped(path), Number.isFinite(wanted) ? { limit: wanted - count } : {});
    batches.push(batch);
    count += batch.count;
  }
  const images = new Float32Array(count * 32 * 32 * 3);
  const labels = new Int32Array(count);
  let offset = 0;
  for (const batch of batches) {
    images.set(batch.images, offset * 32 * 32 * 3);
    labels.set(batch.labels, offset);
    offset += batch.count;
  }
  const classNames = [...CIFAR10_CLASS_NAMES];
  return { name: 'cifar10', split: options.split, images, labels, count, height: 32, width: 32, channels: 3, classes: 10, classNames };
}

/**
 * Loads a labelled image set into memory. File-backed sets read IDX (MNIST, Fashion-MNIST) or
 * CIFAR-10 binary batches, gzipped or not. A missing set throws `DataError` code `DATASET_NOT_FOUND`
 * with a message saying where it looked, which files it expects and how to get them.
 */
export async function loadDataset(options: LoadDatasetOptions): Promise<ImageDataset> {
  if (options.limit !== undefined) requireInt('limit', options.limit, 1);
  switch (options.name) {
    case 'synthetic':
      return syntheticDataset({
        ...options.synthetic,
        count: options.limit ?? (options.split === 'train' ? 10_000 : 2_000),
        seed: options.seed ?? 0,
        split: options.split,
      });
    case 'fashion-mnist':
      return loadIdx(options, options.dataDir ?? DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASS_NAMES);
    case 'mnist':
      return loadIdx(options, options.dataDir, MNIST_CLASS_NAMES);
    case 'cifar10':
      return loadCifar10(options, options.dataDir);
    default:
      throw new DataError('INVALID_OPTION', `name must be one of synthetic, mnist, fashion-mnist, cifar10 (got ${String(options.name)})`);
  }
}
