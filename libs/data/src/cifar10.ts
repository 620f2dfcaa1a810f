import { DataError } from './errors.js';

const SIDE = 32;
const CHANNELS = 3;
const PLANE = SIDE * SIDE;
/** One record: 1 label byte, then 1024 red, 1024 green, 1024 blue bytes (row-major planes). */
const RECORD_BYTES = 1 + CHANNELS * PLANE;

/** Decoded CIFAR-10 binary batch. */
export interface Cifar10Batch {
  count: number;
  /** `count × 32 × 32 × 3` values, NHWC, scaled to [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
}

/**
 * Parses a CIFAR-10 binary batch (`data_batch_N.bin`, `test_batch.bin`) and converts the
 * channel-planar CHW records to NHWC, the TF.js layout. `limit` keeps only the first N records.
 */
export function parseCifar10Batch(bytes: Uint8Array, options: { limit?: number } = {}): Cifar10Batch {
  if (bytes.length === 0 || bytes.length % RECORD_BYTES !== 0) {
    throw new DataError(
      'CORRUPT_FILE',
      `corrupt CIFAR-10 batch: ${bytes.length} bytes is not a positive multiple of the ${RECORD_BYTES}-byte record`,
    );
  }
  const total = bytes.length / RECORD_BYTES;
  const count = options.limit === undefined ? total : Math.min(total, options.limit);
  const images = new Float32Array(count * PLANE * CHANNELS);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n += 1) {
    const record = n * RECORD_BYTES;
    const label = bytes[record] as number;
    if (label > 9) throw new DataError('CORRUPT_FILE', `corrupt CIFAR-10 batch: record ${n} has label ${label}, expected 0..9`);
    labels[n] = label;
    const out = n * PLANE * CHANNELS;
    for (let c = 0; c < CHANNELS; c += 1) {
      const plane = record + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p += 1) images[out + p * CHANNELS + c] = (bytes[plane + p] as number) / 255;
    }
  }
  return { count, images, labels };
}
