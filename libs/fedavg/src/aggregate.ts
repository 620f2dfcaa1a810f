import type { WeightTensor, Weights } from '@fedssd/tensor';
import { FedAvgError } from './errors.js';
import { assertFoldKernel, defaultFoldKernel } from './fold-kernel-choice.js';
import { FOLD_GROUP_MAX, type FoldKernel } from './fold-kernels.js';
import { assertSameLayout } from './weights-math.js';

/** One update and its FedAvg weight (local training samples). */
export interface WeightedUpdate {
  weights: Weights;
  samples: number;
}

/** A streaming weighted average: fold updates as they come (one or a few at a time), memory O(model). */
export interface FedAvgAccumulator {
  /** Folds one update weighted by its sample count (> 0, finite). Names and shapes must match the template. */
  add(update: Weights, samples: number): void;
  /**
   * Folds several updates in list order: the same sums, bit for bit, as `add` on each in turn,
   * but up to {@link FOLD_GROUP_MAX} updates per pass over the sums (about 2x faster when all are
   * at hand). Every update is checked before any is folded, so a bad one leaves the sums unchanged.
   */
  addAll(updates: readonly WeightedUpdate[]): void;
  /** Updates folded so far. */
  readonly count: number;
  /** Sum of their sample counts. */
  readonly totalSamples: number;
  /** `Σ w_k n_k / Σ n_k` as float32, in the template's layout. Throws `NO_UPDATES` before the first `add`. */
  result(): Weights;
}

/** Options of {@link createFedAvg}. */
export interface FedAvgOptions {
  /**
   * Inner loop of `add`/`addAll`. Default: the process default (`setFoldKernel`; the JS kernel
   * unless the composition root installed another). Checked like `setFoldKernel` does: it must
   * give the JS kernel's bytes, else `INVALID_OPTION`.
   */
  readonly fold?: FoldKernel;
}

/**
 * Creates a FedAvg accumulator shaped like `template` (only names and shapes are read). Sums are
 * kept in float64 so the result does not drift with the number of clients; every tensor is
 * averaged alike, BatchNorm running statistics included (docs/METHOD.md §6: full state).
 */
export function createFedAvg(template: Weights, options: FedAvgOptions = {}): FedAvgAccumulator {
  if (options.fold !== undefined) assertFoldKernel(options.fold);
  const kernel = options.fold ?? defaultFoldKernel();
  const sums = template.map((w) => new Float64Array(w.values.length));
  let count = 0;
  let totalSamples = 0;
  function addAll(updates: readonly WeightedUpdate[]): void {
    for (const { weights, samples } of updates) {
      if (!(samples > 0) || !Number.isFinite(samples)) {
        throw new FedAvgError('INVALID_OPTION', `samples must be > 0 and finite (got ${samples})`);
      }
      assertSameLayout(template, weights, 'update');
    }
    for (let g = 0; g < updates.length; g += FOLD_GROUP_MAX) {
      const group = updates.slice(g, g + FOLD_GROUP_MAX);
      const counts = group.map((u) => u.samples);
      sums.forEach((sum, i) =>
        kernel(
          sum,
          group.map((u) => (u.weights[i] as WeightTensor).values),
          counts,
        ),
      );
      for (const n of counts) totalSamples += n;
      count += group.length;
    }
  }
  return {
    add: (update, samples) => addAll([{ weights: update, samples }]),
    addAll,
    get count() {
      return count;
    },
    get totalSamples() {
      return totalSamples;
    },
    result() {
      if (count === 0) throw new FedAvgError('NO_UPDATES', 'result() needs at least one update; none was added');
      return template.map((w, i) => {
        const sum = sums[i] as Float64Array;
        const values = new Float32Array(sum.length);
        for (let j = 0; j < sum.length; j += 1) values[j] = (sum[j] as number) / totalSamples;
        return { name: w.name, shape: [...w.shape], values };
      });
    },
  };
}

/** One client's contribution to a round. */
export interface ClientUpdate {
  clientId: number;
  weights: Weights;
  /** Local training samples (the FedAvg weight). */
  samples: number;
}

/**
 * Weighted average of a round's updates, folded in client-id order so the bytes of the result do
 * not depend on arrival order (float addition is not associative). Client ids must be unique.
 */
export function fedAvg(updates: readonly ClientUpdate[]): Weights {
  const first = updates[0];
  if (first === undefined) throw new FedAvgError('NO_UPDATES', 'fedAvg needs at least one update; got an empty list');
  const ordered = [...updates].sort((a, b) => a.clientId - b.clientId);
  ordered.forEach((update, i) => {
    if (i > 0 && (ordered[i - 1] as ClientUpdate).clientId === update.clientId) {
      throw new FedAvgError('INVALID_OPTION', `clientId ${update.clientId} appears more than once`);
    }
  });
  const accumulator = createFedAvg(first.weights);
  accumulator.addAll(ordered);
  return accumulator.result();
}
