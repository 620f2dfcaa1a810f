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

/** Throws unless `value` is an integer in [min, max]. */
export function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws unless `labels` has `count` entries, each an integer class in [0, classes). */
export function assertLabels(name: string, labels: ArrayLike<number>, count: number, classes: number): void {
  if (labels.length !== count) {
    throw new RangeError(`${name} must have one label per row (${count}), got ${labels.length}`);
  }
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i] ?? NaN;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`${name}[${i}] must be an integer class in [0, ${classes - 1}], got ${label}`);
    }
  }
}
