export { assertMatrix, assertPositive } from '@fedssd/tensor';

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
