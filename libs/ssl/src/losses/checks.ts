import type { Tensor } from '@tensorflow/tfjs-core';
import { assertMatrix, assertPositive } from '@fedssd/tensor';

export { assertMatrix, assertPositive };

/** Throws unless `a` and `b` are matrices with identical [N, d]. */
export function assertSameShape(nameA: string, a: Tensor, nameB: string, b: Tensor, minRows = 1): void {
  assertMatrix(nameA, a, minRows);
  assertMatrix(nameB, b, minRows);
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new RangeError(`${nameA} [${a.shape.join(', ')}] and ${nameB} [${b.shape.join(', ')}] must have the same N and d`);
  }
}

/** Throws unless `value` is a finite number >= 0 (loss coefficients may switch a term off). */
export function assertNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
}
