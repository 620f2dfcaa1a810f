import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError, jpegComponents, parseLabelsCsv } from '@fedssd/data';
import { DEFAULT_FASHION_MNIST_DIR, encodePng, loadDataset, loadSiteData } from '@fedssd/data/node';
import { cifarBytes, idxImagesBytes, idxLabelsBytes } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedssd-site-'));
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

/** A h×w×c image whose byte i is (seed * 31 + i) % 256. */
const pattern = (h: number, w: number, c: 1 | 3, seed: number) => Uint8Array.from({ length: h * w * c }, (_, i) => (seed * 31 + i) % 256);
const floats = (bytes: Uint8Array) => Float32Array.from(bytes, (b) => b / 255);

describe('loadSiteData', () => {
  it('when a folder holds grayscale PNGs, then they load in sorted file-name order as byte/255 floats, other files listed as ignored', async () => {
    await writeFile(join(dir, 'b.png'), encodePng(pattern(4, 5, 1, 2), 5, 4, 1));
    await writeFile(join(dir, 'a.png'), encodePng(pattern(4, 5, 1, 1), 5, 4, 1));
    await writeFile(join(dir, 'notes.txt'), 'hello');
    const data = await loadSiteData(dir);
    expect([data.count, data.height, data.width, data.channels]).toEqual([2, 4, 5, 1]);
    expect(data.images).toEqual(Float32Array.of(...floats(pattern(4, 5, 1, 1)), ...floats(pattern(4, 5, 1, 2))));
    expect(data.sources.map((s) => s.file)).toEqual(['a.png', 'b.png']);
    expect(data.ignored).toEqual(['notes.txt']);
    expect(data.labels).toBeUndefined();
  });

  it('when RGB PNGs and a labels.csv are present, then images are HWC with 3 channels and labels follow the files', async () => {
    await writeFile(join(dir, 'x1.png'), encodePng(pattern(3, 3, 3, 5), 3, 3, 3));
    await writeFile(join(dir, 'x2.png'), encodePng(pattern(3, 3, 3, 6), 3, 3, 3));
    await writeFile(join(dir, 'labels.csv'), 'file,label\nx2.png,7\nx1.png,4\n');
    const data = await loadSiteData(dir);
    expect([data.count, data.channels]).toEqual([2, 3]);
    expect(data.images.subarray(0, 27)).toEqual(floats(pattern(3, 3, 3, 5)));
    expect(Array.from(data.labels!)).toEqual([4, 7]);
  });

  it('when a JPEG is read, then jpeg-js decodes it with 3 channels (lossy, so close to the source)', async () => {
    const rgba = new Uint8Array(8 * 8 * 4).fill(200);
    await writeFile(join(dir, 'photo.jpg'), jpeg.encode({ data: rgba, width: 8, height: 8 }, 95).data);
    const data = await loadSiteData(dir);
    expect([data.count, data.height, data.width, data.channels]).toEqual([1, 8, 8, 3]);
    for (const value of data.images) expect(Math.abs(value - 200 / 255)).toBeLessThan(3 / 255);
  });

  it('when one image differs in size or colour, then the error names the first offending file and the expected shape', async () => {
    await writeFile(join(dir, '001.png'), encodePng(pattern(4, 4, 1, 0), 4, 4, 1));
    await writeFile(join(dir, '002.png'), encodePng(pattern(4, 4, 3, 0), 4, 4, 3));
    await writeFile(join(dir, '003.png'), encodePng(pattern(5, 4, 1, 0), 4, 5, 1));
    const error = await rejection(loadSiteData(dir));
    expect([error.code, error.message]).toEqual([
      'INCONSISTENT_DATA',
      '002.png is 4x4x3 (height x width x channels) but 001.png is 4x4x1: every image of a site must have one shape',
    ]);
  });

  it('when IDX files and a CIFAR-10 batch are in the folder, then they are read with their labels', async () => {
    await writeFile(join(dir, 'train-images-idx3-ubyte'), idxImagesBytes(3, 2, 2));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), idxLabelsBytes([1, 2, 3]));
    const idx = await loadSiteData(dir);
    expect([idx.count, idx.height, idx.width, idx.channels, Array.from(idx.labels!)]).toEqual([3, 2, 2, 1, [1, 2, 3]]);
    const other = await mkdtemp(join(tmpdir(), 'fedssd-site-'));
    try {
      await writeFile(join(other, 'data_batch_1.bin'), cifarBytes([4, 5]));
      const cifar = await loadSiteData(other);
      expect([cifar.count, cifar.height, cifar.width, cifar.channels, Array.from(cifar.labels!)]).toEqual([2, 32, 32, 3, [4, 5]]);
      await writeFile(join(other, 'a.png'), encodePng(pattern(28, 28, 1, 0), 28, 28, 1));
      expect((await rejection(loadSiteData(other))).message).toBe(
        'data_batch_1.bin is 32x32x3 (height x width x channels) but a.png is 28x28x1: every image of a site must have one shape',
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it.each([
    ['', 'no images in'],
    ['labels.csv', 'labels.csv has no label for a.png'],
  ])('when the folder is empty or labels.csv misses an image (%s), then a DataError says so', async (extra, message) => {
    if (extra === 'labels.csv') {
      await writeFile(join(dir, 'a.png'), encodePng(pattern(2, 2, 1, 0), 2, 2, 1));
      await writeFile(join(dir, 'labels.csv'), 'b.png,1\n');
    }
    expect((await rejection(loadSiteData(dir))).message).toContain(message);
  });

  it('when the folder does not exist or a .png is not a PNG, then the error names it', async () => {
    expect((await rejection(loadSiteData(join(dir, 'missing')))).message).toMatch(/site data folder .*missing cannot be read \(ENOENT\)/);
    await writeFile(join(dir, 'fake.png'), 'not an image');
    expect((await rejection(loadSiteData(dir))).message).toBe('cannot decode fake.png: not a PNG or JPEG file (magic bytes)');
  });
});

describe('labels.csv and JPEG headers', () => {
  it('when labels.csv has a bad line, then the error names the line', () => {
    expect(() => parseLabelsCsv('a.png,1\nb.png,x\n')).toThrow(
      'labels.csv line 2: expected "file,label" with an integer label ≥ 0 (got "b.png,x")',
    );
    expect(() => parseLabelsCsv('a.png,1\na.png,2\n')).toThrow('labels.csv line 2: a.png is listed twice');
  });

  it('when a JPEG frame header declares 1 or 3 components, then jpegComponents reads it', () => {
    const sof = (components: number) =>
      Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc0, 0x00, 0x0b, 8, 0, 2, 0, 2, components, 1, 0x11, 0);
    expect(jpegComponents(sof(1))).toBe(1);
    expect(jpegComponents(sof(3))).toBe(3);
    expect(jpegComponents(Uint8Array.of(1, 2, 3, 4))).toBeUndefined();
    const rgba = new Uint8Array(4 * 4 * 4).fill(9);
    expect(jpegComponents(jpeg.encode({ data: rgba, width: 4, height: 4 }, 90).data)).toBe(3);
  });
});

describe('loadSiteData on real Fashion-MNIST images', () => {
  const present = existsSync(join(DEFAULT_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
  it.skipIf(!present && process.env.CI !== 'true')(
    'when Fashion-MNIST images are written as PNG files, then reading the folder gives bit-identical floats to the IDX reader',
    async () => {
      if (!present) throw new Error(`Fashion-MNIST missing at ${DEFAULT_FASHION_MNIST_DIR}: run apt-get install dataset-fashion-mnist`);
      const set = await loadDataset({ name: 'fashion-mnist', split: 'train', limit: 50 });
      const pixels = set.height * set.width;
      for (let n = 0; n < set.count; n += 1) {
        const bytes = Uint8Array.from(set.images.subarray(n * pixels, (n + 1) * pixels), (f) => Math.round(f * 255));
        await writeFile(join(dir, `${String(n).padStart(5, '0')}.png`), encodePng(bytes, set.width, set.height, 1));
      }
      const site = await loadSiteData(dir);
      expect([site.count, site.height, site.width, site.channels]).toEqual([50, 28, 28, 1]);
      expect(Buffer.from(site.images.buffer).equals(Buffer.from(set.images.buffer))).toBe(true);
    },
  );
});
