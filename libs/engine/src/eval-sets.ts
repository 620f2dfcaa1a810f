import type { RunConfig } from '@fedssd/protocol';
import type { EvalSets } from './evaluate.js';
import { selectImages } from './features.js';
import { shardOf, type LabelledSet, type PreparedRun } from './prepare.js';

/** The d x d identity, row-major. */
function identity(dim: number): Float32Array {
  const out = new Float32Array(dim * dim);
  for (let i = 0; i < dim; i += 1) out[i * dim + i] = 1;
  return out;
}

/**
 * Server-side evaluation sets of a run, the same in the simulator and the aggregator: kNN bank
 * and probe training set = the run's training images, queries = `test`, the first
 * `perClientEvalLimit` images of each client for inter-client uniformity and the mechanism check.
 * The mechanism check measures energy in the coordinates DSR acts in: the shared basis Q for the
 * code form, the standard basis for the paper form (which uses Q = I).
 */
export function evalSetsFor(
  config: Pick<RunConfig, 'dsr'>,
  prepared: PreparedRun,
  train: LabelledSet,
  test: LabelledSet,
  perClientEvalLimit: number,
): EvalSets {
  const { targets } = prepared;
  return {
    bank: { shard: prepared.train, labels: train.labels },
    test: { shard: shardOf(test), labels: test.labels },
    classes: train.classes,
    perClient: prepared.shards.map((s) =>
      selectImages(
        s,
        Array.from({ length: Math.min(perClientEvalLimit, s.count) }, (_, i) => i),
      ),
    ),
    ...(targets
      ? {
          targets: {
            dim: targets.dim,
            basisValues: config.dsr.form === 'paper' ? identity(targets.dim) : targets.basis,
            slices: targets.slices,
          },
        }
      : {}),
  };
}
