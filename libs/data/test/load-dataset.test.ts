import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '@fedssd/data';
import { DEFAULT_FASHION_MNIST_DIR, loadDataset } from '@fedssd/data/node';
import { cifarBytes, idxImagesBytes, idxLabelsBytes } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedssd-data-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError');
}

describe('loadDataset (IDX)', () => {
  it('when the train files are gzipped, then gunzips them (by magic bytes) and names the classes', async () => {
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxImagesBytes(4, 3, 3)));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabelsBytes([9, 0, 0, 3])));
    const data = await loadDataset({ name: 'fashion-mnist', split: 'train', dataDir: dir });
    expect([data.count, data.height, data.width, data.channels, data.classes]).toEqual([4, 3, 3, 1, 10]);
    expect([...data.labels]).toEqual([9, 0, 0, 3]);
    expect(data.classNames[9]).toBe('Ankle boot');
    expect(data.images[9 + 1]).toBeCloseTo(8 / 255, 7); // image 1, pixel 1: (1 * 7 + 1) / 255
  });

  it('when the test files are plain (even if named .gz), then reads them and honours limit', async () => {
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), idxImagesBytes(5, 2, 2));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), idxLabelsBytes([1, 2, 3, 4, 5]));
    const data = await loadDataset({ name: 'mnist', split: 'test', dataDir: dir, limit: 3 });
    expect(data.count).toBe(3);
    expect(data.images.length).toBe(12);
    expect([...data.labels]).toEqual([1, 2, 3]);
    expect(data.classNames[3]).toBe('3');
  });

  it('when images and labels disagree on the count, then throws CORRUPT_FILE', async () => {
    await writeFile(join(dir, 'train-images-idx3-ubyte'), idxImagesBytes(3, 2, 2));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), idxLabelsBytes([1, 2]));
    const error = await rejection(loadDataset({ name: 'mnist', split: 'train', dataDir: dir }));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toMatch(/corrupt IDX file: 3 images in .* but 2 labels in /);
  });

  it('when a file is corrupt, then throws CORRUPT_FILE', async () => {
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxImagesBytes(3, 2, 2).subarray(0, 25)));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    const error = await rejection(loadDataset({ name: 'mnist', split: 'train', dataDir: dir }));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toMatch(/^corrupt IDX file: header says 3 images/);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxImagesBytes(3, 2, 2)));
    const gzipError = await rejection(loadDataset({ name: 'mnist', split: 'train', dataDir: dir }));
    expect(gzipError.message).toMatch(/^corrupt gzip file .*train-labels-idx1-ubyte\.gz/);
  });

  it('when the directory has no data set, then DATASET_NOT_FOUND says where it looked, what it wants and how to get it', async () => {
    const missing = join(dir, 'nowhere');
    const error = await rejection(loadDataset({ name: 'fashion-mnist', split: 'train', dataDir: missing }));
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toContain(`searched ${missing}`);
    expect(error.message).toContain('train-images-idx3-ubyte.gz');
    expect(error.message).toContain('train-labels-idx1-ubyte.gz');
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
    expect(error.message).toContain('--data-dir');
    const mnist = await rejection(loadDataset({ name: 'mnist', split: 'test' }));
    expect(mnist.code).toBe('DATASET_NOT_FOUND');
    expect(mnist.message).toContain('no data directory was given');
  });
});

describe('loadDataset (CIFAR-10)', () => {
  it('when the batches sit in cifar-10-batches-bin/, then concatenates them in order up to limit', async () => {
    const sub = join(dir, 'cifar-10-batches-bin');
    await mkdir(sub);
    for (let b = 1; b <= 5; b += 1) await writeFile(join(sub, `data_batch_${b}.bin`), cifarBytes([b, b]));
    const data = await loadDataset({ name: 'cifar10', split: 'train', dataDir: dir, limit: 5 });
    expect([data.count, data.height, data.width, data.channels]).toEqual([5, 32, 32, 3]);
    expect([...data.labels]).toEqual([1, 1, 2, 2, 3]);
    expect(data.classNames[1]).toBe('automobile');
    const all = await loadDataset({ name: 'cifar10', split: 'train', dataDir: dir });
    expect(all.count).toBe(10);
  });

  it('when test_batch.bin is gzipped, then reads it; when missing, then names the files expected', async () => {
    await writeFile(join(dir, 'test_batch.bin'), gzipSync(cifarBytes([4, 5, 6])));
    const data = await loadDataset({ name: 'cifar10', split: 'test', dataDir: dir });
    expect([...data.labels]).toEqual([4, 5, 6]);
    const error = await rejection(loadDataset({ name: 'cifar10', split: 'train', dataDir: dir }));
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toContain('data_batch_1.bin');
    expect(error.message).toContain('cifar-10-batches-bin');
  });
});

describe('loadDataset (synthetic)', () => {
  it('when asked for synthetic, then builds it from limit, seed and shape overrides', async () => {
    const data = await loadDataset({
      name: 'synthetic',
      split: 'test',
      limit: 20,
      seed: 4,
      synthetic: { height: 32, width: 32, channels: 3 },
    });
    expect([data.count, data.height, data.channels, data.split]).toEqual([20, 32, 3, 'test']);
  });
});

describe('loadDataset (real Fashion-MNIST from the Debian package)', () => {
  const present = existsSync(join(DEFAULT_FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'));

  it('when the package is installed, then the first training labels are 9,0,0,3,0,2,7,2,5,5', async () => {
    if (!present) {
      // Never skip silently in CI: the package is part of the machine set-up.
      if (process.env.CI === 'true') {
        throw new Error(`Fashion-MNIST missing at ${DEFAULT_FASHION_MNIST_DIR}: run apt-get install dataset-fashion-mnist`);
      }
      console.warn(`Fashion-MNIST not installed at ${DEFAULT_FASHION_MNIST_DIR}; real-data check not run`);
      return;
    }
    const train = await loadDataset({ name: 'fashion-mnist', split: 'train', limit: 100 });
    expect([...train.labels.subarray(0, 10)]).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect([train.count, train.height, train.width]).toEqual([100, 28, 28]);
    const test = await loadDataset({ name: 'fashion-mnist', split: 'test' });
    expect(test.count).toBe(10_000);
    const mean = test.images.reduce((a, b) => a + b, 0) / test.images.length;
    expect(mean).toBeGreaterThan(0.2); // Fashion-MNIST's pixel mean is about 0.286
    expect(mean).toBeLessThan(0.4);
  });
});
