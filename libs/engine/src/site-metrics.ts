import * as tf from '@tensorflow/tfjs-core';
import { effectiveRank, subspaceEnergy, uniformityMetric } from '@fedssd/eval';
import type { ClientSsdTarget } from '@fedssd/fedavg';
import type { DsrConfig, SiteMetrics } from '@fedssd/protocol';
import type { SslModel } from '@fedssd/ssl';
import type { Weights } from '@fedssd/tensor';
import type { ImageShard } from './client-update.js';
import { extractFeatures, selectImages } from './features.js';

/** Images a site measures on by default: enough for stable -U and effective rank, cheap next to training. */
export const SITE_METRIC_IMAGES = 500;

/**
 * What a federated site reports about a global model on its own images, without labels:
 * uniformity (-U of normalised h), effective rank of h, and the share of its projector
 * embedding energy in its own DSR slice — in the coordinates DSR acts in (the basis Q for the
 * code form, the standard basis for the paper form). Measured on the first `limit` images.
 */
export async function measureSiteMetrics(
  model: SslModel,
  global: Weights,
  shard: ImageShard,
  target: (ClientSsdTarget & { readonly form: DsrConfig['form'] }) | undefined,
  limit = SITE_METRIC_IMAGES,
): Promise<SiteMetrics> {
  model.setWeights(global);
  const n = Math.min(limit, shard.count);
  const sample =
    n === shard.count
      ? shard
      : selectImages(
          shard,
          Array.from({ length: n }, (_, i) => i),
        );
  const features = extractFeatures(model, sample);
  try {
    const uniformity = n >= 2 ? await uniformityMetric(features.h) : null;
    const rank = n >= 1 ? await effectiveRank(features.h) : null;
    let ownSliceEnergy: number | null = null;
    if (target !== undefined && n >= 1) {
      const d = target.dim;
      const basis = target.form === 'paper' ? tf.eye(d) : tf.tensor2d(target.basisValues, [d, d]);
      try {
        ownSliceEnergy =
          subspaceEnergy({ embeddings: [features.z as tf.Tensor2D], basis: basis as tf.Tensor2D, slices: [[...target.slice]] }).perClient[0]
            ?.own ?? null;
      } finally {
        basis.dispose();
      }
    }
    return { uniformity, effectiveRank: rank, ownSliceEnergy, images: n };
  } finally {
    features.dispose();
  }
}
