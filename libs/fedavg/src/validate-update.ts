import type { WeightTensor, Weights } from '@fedssd/tensor';
import { l2Norm } from './weights-math.js';

/** Why an update was rejected; stable strings, used as a metrics label. */
export type RejectReason = 'missing-tensor' | 'unexpected-tensor' | 'shape-mismatch' | 'non-finite' | 'norm-exceeded';

export type UpdateVerdict = { ok: true } | { ok: false; reason: RejectReason; message: string };

/** Options of {@link validateUpdate}. */
export interface ValidateUpdateOptions {
  /** Reject when the update's global L2 norm (float64, all tensors) exceeds this. Default: no bound. */
  maxL2Norm?: number;
}

/**
 * Checks an update against the reference layout (the global model): same tensor names, same
 * shapes, all values finite and, optionally, L2 norm within a bound. Reports the first problem
 * found, in that order. Pure: never throws on bad updates, since they come from the network.
 */
export function validateUpdate(reference: Weights, update: Weights, options: ValidateUpdateOptions = {}): UpdateVerdict {
  const byName = new Map<string, WeightTensor>(update.map((w) => [w.name, w]));
  for (const ref of reference) {
    if (!byName.has(ref.name)) return { ok: false, reason: 'missing-tensor', message: `update lacks tensor ${ref.name}` };
  }
  const known = new Set(reference.map((w) => w.name));
  for (const w of update) {
    if (!known.has(w.name)) return { ok: false, reason: 'unexpected-tensor', message: `update has unknown tensor ${w.name}` };
  }
  if (byName.size !== update.length) {
    return { ok: false, reason: 'unexpected-tensor', message: 'update repeats a tensor name' };
  }
  for (const ref of reference) {
    const w = byName.get(ref.name) as WeightTensor;
    const sameShape = w.shape.length === ref.shape.length && w.shape.every((d, i) => d === ref.shape[i]);
    if (!sameShape || w.values.length !== ref.values.length) {
      return {
        ok: false,
        reason: 'shape-mismatch',
        message: `${ref.name} has shape [${w.shape.join(',')}] with ${w.values.length} values, expected [${ref.shape.join(',')}]`,
      };
    }
  }
  for (const w of update) {
    for (let i = 0; i < w.values.length; i += 1) {
      if (!Number.isFinite(w.values[i] as number)) {
        return { ok: false, reason: 'non-finite', message: `${w.name}[${i}] is ${w.values[i]}` };
      }
    }
  }
  if (options.maxL2Norm !== undefined) {
    const norm = l2Norm(update);
    if (norm > options.maxL2Norm) {
      return { ok: false, reason: 'norm-exceeded', message: `L2 norm ${norm.toPrecision(6)} exceeds maxL2Norm ${options.maxL2Norm}` };
    }
  }
  return { ok: true };
}
