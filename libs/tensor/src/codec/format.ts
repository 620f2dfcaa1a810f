/**
 * Binary layout of encoded weights (all little-endian, every section 4-byte aligned so
 * fp32 data can be copied with one typed-array `set`):
 *
 *   header   magic "FSDW" | u16 version | u8 dtype | u8 reserved(0) | u32 tensorCount | u32 totalBytes
 *   tensor*  u16 nameBytes | utf8 name | pad to 4 | u32 rank | u32 dims[rank] | f32 scale (int8 only)
 *            | data (fp32: 4n, fp16: 2n, int8: n bytes) | pad to 4
 *   trailer  u32 checksum of every byte before it: CRC-32 (IEEE, as zlib) in version 2,
 *            CRC32C (Castagnoli) in version 1 (still decoded; never written any more)
 *
 * Padding and the reserved byte are zero, so equal weights always give equal bytes.
 */
import { sizeOf } from '../weights.js';
import type { Weights } from '../weights.js';

export const MAGIC = [0x46, 0x53, 0x44, 0x57] as const; // "FSDW"
/** Version written by `encodeWeights`. */
export const VERSION = 2;
/** Versions `decodeWeights` reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];
export const HEADER_BYTES = 16;
export const TRAILER_BYTES = 4;

/** Element encoding; fp32 is lossless, fp16/int8 trade precision for 2x/4x smaller payloads. */
export type WeightsDtype = 'fp32' | 'fp16' | 'int8';
export const DTYPES: readonly WeightsDtype[] = ['fp32', 'fp16', 'int8'];
export const BYTES_PER_ELEMENT: Record<WeightsDtype, number> = { fp32: 4, fp16: 2, int8: 1 };

export const align4 = (n: number): number => (n + 3) & ~3;

const utf8 = new TextEncoder();

/** Bytes of one tensor's section (name encoded once by the caller). */
export function tensorSectionBytes(nameBytes: number, rank: number, elements: number, dtype: WeightsDtype): number {
  return align4(2 + nameBytes) + 4 + 4 * rank + (dtype === 'int8' ? 4 : 0) + align4(elements * BYTES_PER_ELEMENT[dtype]);
}

/**
 * Exact size in bytes of `encodeWeights(weights, { dtype })`.
 * @param dtype default 'fp32'.
 */
export function weightsByteLength(weights: Weights, dtype: WeightsDtype = 'fp32'): number {
  let total = HEADER_BYTES + TRAILER_BYTES;
  for (const w of weights) total += tensorSectionBytes(utf8.encode(w.name).length, w.shape.length, sizeOf(w.shape), dtype);
  return total;
}
