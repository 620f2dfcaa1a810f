import { describe, expect, it } from 'vitest';
import { parseCifar10Batch } from '@fedssd/data';
import { cifarBytes } from './fixtures.js';

describe('parseCifar10Batch', () => {
  it('when given CHW records, then returns NHWC images in [0, 1] and the labels', () => {
    const batch = parseCifar10Batch(cifarBytes([3, 7]));
    expect(batch.count).toBe(2);
    expect([...batch.labels]).toEqual([3, 7]);
    expect(batch.images.length).toBe(2 * 32 * 32 * 3);
    // Pixel 5 of image 1: R = 11, G = 21, B = 5, interleaved.
    const at = (1 * 1024 + 5) * 3;
    expect([...batch.images.subarray(at, at + 3)].map((v) => Math.round(v * 255))).toEqual([11, 21, 5]);
    // Pixel (row 1, col 2) of image 0 has blue = 34.
    expect(Math.round((batch.images[(32 + 2) * 3 + 2] as number) * 255)).toBe(34);
  });

  it('when a limit is set, then keeps only the first N records', () => {
    const batch = parseCifar10Batch(cifarBytes([1, 2, 3]), { limit: 1 });
    expect(batch.count).toBe(1);
    expect([...batch.labels]).toEqual([1]);
  });

  it('when the size is not a whole number of records, then throws CORRUPT_FILE', () => {
    expect(() => parseCifar10Batch(cifarBytes([1]).subarray(0, 3000))).toThrow(
      'corrupt CIFAR-10 batch: 3000 bytes is not a positive multiple of the 3073-byte record',
    );
  });

  it('when a label is out of range, then throws CORRUPT_FILE naming the record', () => {
    expect(() => parseCifar10Batch(cifarBytes([1, 12]))).toThrow('corrupt CIFAR-10 batch: record 1 has label 12, expected 0..9');
  });
});
