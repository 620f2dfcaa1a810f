import * as tf from '@tensorflow/tfjs-core';
import { effectiveRank, interClientUniformity, knnClassify, linearProbe, subspaceEnergy, uniformityMetric } from '@fedssd/eval';
import type { SslModel } from '@fedssd/ssl';
import type { EvalMetrics, SubspaceEnergySummary } from '@fedssd/protocol';
import type { ImageShard } from './client-update.js';
import { extractFeatures } from './features.js';

/** Labelled images for evaluation. */
export interface LabelledImages {
  readonly shard: ImageShard;
  readonly labels: ArrayLike<number>;
}

export interface EvalSets {
  /** kNN memory bank and linear-probe training set (training images, no augmentation). */
  readonly bank: LabelledImages;
  /** Queries / probe test set. */
  readonly test: LabelledImages;
  readonly classes: number;
  /** A bounded sample of each client's own images, for inter-client uniformity and the mechanism check. */
  readonly perClient: readonly ImageShard[];
  /** The run's SSD targets, for the mechanism check (own-slice energy). */
  readonly targets?: { readonly dim: number; readonly basisValues: Float32Array; readonly slices: readonly (readonly number[])[] };
}

export interface EvalOptions {
  /** kNN neighbours; default 200 on banks of 10k+, else 50 (docs/METHOD.md §7: fewer on small banks). */
  readonly knnK?: number;
  /** kNN temperature; default 0.1. */
  readonly knnTemperature?: number;
  /** Pairs for uniformity grow as N^2: use at most this many test features (default 2000). */
  readonly uniformityLimit?: number;
  /** Train a linear probe (final evaluation only). */
  readonly probe?: { readonly epochs: number; readonly seed: number };
}

/** Server-side evaluation of a global model (docs/METHOD.md §7). */
export async function evaluateModel(model: SslModel, sets: EvalSets, opts: EvalOptions = {}): Promise<EvalMetrics> {
  const bank = extractFeatures(model, sets.bank.shard);
  const test = extractFeatures(model, sets.test.shard);
  const clients = sets.perClient.map((shard) => extractFeatures(model, shard));
  try {
    const k = Math.min(opts.knnK ?? (sets.bank.shard.count >= 10_000 ? 200 : 50), sets.bank.shard.count);
    const predicted = await knnClassify({
      bank: bank.h,
      bankLabels: sets.bank.labels,
      queries: test.h,
      k,
      temperature: opts.knnTemperature ?? 0.1,
      classes: sets.classes,
    });
    let correct = 0;
    predicted.forEach((label, i) => {
      if (label === sets.test.labels[i]) correct += 1;
    });
    const limit = Math.min(opts.uniformityLimit ?? 2000, sets.test.shard.count);
    const head = tf.slice(test.h, [0, 0], [limit, -1]) as tf.Tensor2D;
    const uniformity = await uniformityMetric(head);
    head.dispose();
    const rank = await effectiveRank(test.h);
    const nonEmpty = clients.filter((c) => c.h.shape[0] > 0);
    const inter = nonEmpty.length >= 2 ? await interClientUniformity(nonEmpty.map((c) => c.h)) : null;
    let energy: SubspaceEnergySummary | null = null;
    if (sets.targets) {
      const basis = tf.tensor2d(sets.targets.basisValues, [sets.targets.dim, sets.targets.dim]);
      const result = await subspaceEnergy({
        embeddings: clients.map((c) => c.z),
        basis,
        slices: sets.targets.slices.map((s) => [...s]).slice(0, clients.length),
      });
      basis.dispose();
      energy = {
        meanOwn: result.summary.meanOwn,
        meanOthersPerSlice: result.summary.meanOthersPerSlice,
        ratio: result.summary.ratio,
        perClient: result.perClient.map((c) => ({ own: c.own, others: c.others, rest: c.rest })),
      };
    }
    let probe: number | null = null;
    if (opts.probe) {
      const out = await linearProbe({
        trainFeatures: bank.h,
        trainLabels: sets.bank.labels,
        testFeatures: test.h,
        testLabels: sets.test.labels,
        classes: sets.classes,
        epochs: opts.probe.epochs,
        seed: opts.probe.seed,
      });
      probe = out.accuracy;
    }
    return {
      knnAccuracy: correct / Math.max(1, predicted.length),
      uniformity,
      effectiveRank: rank,
      interClientUniformity: inter,
      subspaceEnergy: energy,
      linearProbeAccuracy: probe,
    };
  } finally {
    bank.dispose();
    test.dispose();
    for (const c of clients) c.dispose();
  }
}
