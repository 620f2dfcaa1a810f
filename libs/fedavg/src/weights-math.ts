import type { WeightTensor, Weights } from '@fedssd/tensor';
import { FedAvgError } from './errors.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/** Throws `WEIGHTS_MISMATCH` unless `b` has exactly `a`'s tensor names and shapes (both sorted by name). */
export function assertSameLayout(a: Weights, b: Weights, what = 'weights'): void {
  if (a.length !== b.length) {
    throw new FedAvgError('WEIGHTS_MISMATCH', `${what}: expected ${a.length} tensors, got ${b.length}`);
  }
  a.forEach((x, i) => {
    const y = b[i] as WeightTensor;
    if (x.name !== y.name) throw new FedAvgError('WEIGHTS_MISMATCH', `${what}: tensor ${i} is ${y.name}, expected ${x.name}`);
    if (!sameShape(x.shape, y.shape) || x.values.length !== y.values.length) {
      throw new FedAvgError('WEIGHTS_MISMATCH', `${what}: ${x.name} has shape [${y.shape.join(',')}], expected [${x.shape.join(',')}]`);
    }
  });
}

function zip(a: Weights, b: Weights, op: (x: number, y: number) => number): Weights {
  assertSameLayout(a, b);
  return a.map((x, i) => {
    const y = (b[i] as WeightTensor).values;
    const values = new Float32Array(x.values.length);
    for (let j = 0; j < values.length; j += 1) values[j] = op(x.values[j] as number, y[j] as number);
    return { name: x.name, shape: [...x.shape], values };
  });
}

/** `a - b` element-wise (e.g. a client's update delta = local − global). Layouts must match. */
export function subtractWeights(a: Weights, b: Weights): Weights {
  return zip(a, b, (x, y) => x - y);
}

/** `a + b` element-wise (e.g. global + averaged delta). Layouts must match. */
export function addWeights(a: Weights, b: Weights): Weights {
  return zip(a, b, (x, y) => x + y);
}

/** `factor · w` element-wise, as a new Weights. */
export function scaleWeights(weights: Weights, factor: number): Weights {
  if (!Number.isFinite(factor)) throw new FedAvgError('INVALID_OPTION', `factor must be finite (got ${factor})`);
  return weights.map((w) => ({ name: w.name, shape: [...w.shape], values: w.values.map((v) => v * factor) }));
}

/** Euclidean norm over every value of every tensor, accumulated in float64. NaN if any value is NaN. */
export function l2Norm(weights: Weights): number {
  let sum = 0;
  for (const w of weights) {
    for (let i = 0; i < w.values.length; i += 1) {
      const v = w.values[i] as number;
      sum += v * v;
    }
  }
  return Math.sqrt(sum);
}
