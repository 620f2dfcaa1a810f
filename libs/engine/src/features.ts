import * as tf from '@tensorflow/tfjs-core';
import type { SslModel } from '@fedssd/ssl';
import type { ImageShard } from './client-update.js';

/** Encoder features h and unit projector embeddings z of a set of images, in inference mode. */
export interface Features {
  readonly h: tf.Tensor2D;
  readonly z: tf.Tensor2D;
  dispose(): void;
}

/**
 * Runs the model over `images` in chunks of `batchSize` (memory stays bounded) and returns h and
 * z = zt / ||zt||. No augmentation; BatchNorm uses its running statistics.
 */
export function extractFeatures(model: SslModel, images: ImageShard, batchSize = 256): Features {
  const [height, width, channels] = images.shape;
  const per = height * width * channels;
  const hs: tf.Tensor2D[] = [];
  const zs: tf.Tensor2D[] = [];
  for (let start = 0; start < images.count; start += batchSize) {
    const n = Math.min(batchSize, images.count - start);
    const [h, z] = tf.tidy(() => {
      const x = tf.tensor4d(images.images.subarray(start * per, (start + n) * per), [n, height, width, channels]);
      const out = model.forward(x, false);
      const norm = tf.maximum(tf.norm(out.zt, 'euclidean', 1, true), 1e-12);
      return [out.h, tf.div(out.zt, norm) as tf.Tensor2D];
    });
    hs.push(h);
    zs.push(z);
  }
  const h = hs.length === 1 ? (hs[0] as tf.Tensor2D) : (tf.concat(hs, 0) as tf.Tensor2D);
  const z = zs.length === 1 ? (zs[0] as tf.Tensor2D) : (tf.concat(zs, 0) as tf.Tensor2D);
  if (hs.length > 1) for (const t of [...hs, ...zs]) t.dispose();
  return {
    h,
    z,
    dispose: () => {
      h.dispose();
      z.dispose();
    },
  };
}

/** The rows `indices` of a shard, copied. */
export function selectImages(source: ImageShard, indices: readonly number[]): ImageShard {
  const per = source.shape[0] * source.shape[1] * source.shape[2];
  const out = new Float32Array(indices.length * per);
  indices.forEach((idx, i) => out.set(source.images.subarray(idx * per, (idx + 1) * per), i * per));
  return { images: out, count: indices.length, shape: source.shape };
}
