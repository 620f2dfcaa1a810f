/**
 * Trailer checksum per format version. v2 uses CRC-32 (IEEE 802.3, zlib's polynomial) from
 * Node's `zlib.crc32`: native code, 2-3x faster here than the best pure-JS CRC (slicing-by-8
 * CRC32C, 0.6-1 GB/s), and the codec computes it twice per transfer (encode and decode). It is a
 * pure function over bytes — no stream, no file — so the codec stays free of I/O; `node:zlib`
 * only makes this module Node-only, which the whole library already is.
 * v1 buffers (CRC32C trailer) are still verified with the JS CRC32C.
 */
import { crc32 } from 'node:zlib';
import { crc32c } from './crc32c.js';

/** Checksum of `bytes` as an unsigned 32-bit integer for a buffer of format `version` (1 or 2). */
export function trailerChecksum(version: number, bytes: Uint8Array): number {
  return version === 1 ? crc32c(bytes) : crc32(bytes) >>> 0;
}
