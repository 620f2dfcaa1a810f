import { describe, expect, it } from 'vitest';
import { DataError, parseIdxImages, parseIdxLabels } from '@fedssd/data';
import { idxImagesBytes, idxLabelsBytes } from './fixtures.js';

describe('parseIdxImages', () => {
  it('when given a valid file, then reads dims and scales bytes to [0, 1]', () => {
    const parsed = parseIdxImages(idxImagesBytes(3, 2, 4));
    expect([parsed.count, parsed.height, parsed.width]).toEqual([3, 2, 4]);
    expect(parsed.images.length).toBe(24);
    expect(parsed.images[0]).toBe(0);
    expect(parsed.images[1]).toBeCloseTo(1 / 255, 7);
    expect(parsed.images[8 + 3]).toBeCloseTo((7 + 3) / 255, 7); // image 1, pixel 3
  });

  it('when a limit is set, then keeps only the first N images', () => {
    const parsed = parseIdxImages(idxImagesBytes(5, 2, 2), { limit: 2 });
    expect(parsed.count).toBe(2);
    expect(parsed.images.length).toBe(8);
  });

  it('when the magic is a label file, then throws CORRUPT_FILE naming both magics', () => {
    const error = captureError(() => parseIdxImages(idxLabelsBytes([1, 2])));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toBe('corrupt IDX file: magic 0x00000801, expected 0x00000803');
  });

  it('when the file is truncated, then throws CORRUPT_FILE with both sizes', () => {
    const bytes = idxImagesBytes(3, 2, 2).subarray(0, 20);
    expect(() => parseIdxImages(bytes)).toThrow('corrupt IDX file: header says 3 images of 2x2 (28 bytes), file has 20 bytes');
  });

  it('when shorter than the header, then throws CORRUPT_FILE', () => {
    expect(() => parseIdxImages(idxImagesBytes(1, 2, 2).subarray(0, 10))).toThrow(
      /corrupt IDX file: 10 bytes is shorter than the 16-byte header/,
    );
    expect(() => parseIdxImages(new Uint8Array(3))).toThrow(/corrupt IDX file: 3 bytes/);
  });
});

describe('parseIdxLabels', () => {
  it('when given a valid file, then returns the labels as Int32Array', () => {
    const labels = parseIdxLabels(idxLabelsBytes([9, 0, 3]));
    expect(labels).toBeInstanceOf(Int32Array);
    expect([...labels]).toEqual([9, 0, 3]);
    expect([...parseIdxLabels(idxLabelsBytes([9, 0, 3]), { limit: 2 })]).toEqual([9, 0]);
  });

  it('when the length does not match the header, then throws CORRUPT_FILE', () => {
    const bytes = new Uint8Array([...idxLabelsBytes([1, 2, 3]), 4]);
    expect(() => parseIdxLabels(bytes)).toThrow('corrupt IDX file: header says 3 labels (11 bytes), file has 12 bytes');
  });
});

function captureError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError');
}
