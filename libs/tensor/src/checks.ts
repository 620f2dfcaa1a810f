import type { Tensor } from '@tensorflow/tfjs-core';

/** Throws unless `x` is a rank-2 tensor with at least `minRows` rows and one column. */
export function assertMatrix(name: string, x: Tensor, minRows = 1): void {
  if (x.rank !== 2) {
    throw new RangeError(`${name} must be a rank-2 tensor [N, d], got shape [${x.shape.join(', ')}]`);
  }
  const [rows, cols] = x.shape as [number, number];
  if (rows < minRows || cols < 1) {
    throw new RangeError(`${name} must have N >= ${minRows} rows and d >= 1 columns, got [${rows}, ${cols}]`);
  }
}

/** Throws unless `value` is a finite number strictly greater than zero. */
export function assertPositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  }
}
