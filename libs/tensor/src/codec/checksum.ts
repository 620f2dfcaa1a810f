/**
 * Trailer checksum per format version. v2 uses CRC-32 (IEEE 802.3, zlib's polynomial), by
 * default from Node's `zlib.crc32`: native code, 2-3x faster here than the best pure-JS CRC
 * (slicing-by-8 CRC32C, 0.6-1 GB/s), and the codec computes it twice per transfer (encode and
 * decode). A composition root may install a faster implementation of the same function (e.g.
 * `@fedssd/native`'s ISA-L CRC-32) with {@link setCrc32}; the bytes on the wire do not change.
 * It is a pure function over bytes — no stream, no file — so the codec stays free of I/O;
 * `node:zlib` only makes this module Node-only, which the whole library already is.
 * v1 buffers (CRC32C trailer) are still verified with the JS CRC32C.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { CodecError } from './codec-error.js';
import { crc32c } from './crc32c.js';

/**
 * CRC-32 of `bytes` (IEEE, reflected 0xEDB88320) continuing from `init` (default 0), exactly as
 * zlib's `crc32(bytes, init)`: `f(b, f(a)) === f(a ++ b)`. Returns the unsigned or signed 32-bit form.
 */
export type Crc32Function = (bytes: Uint8Array, init?: number) => number;

const zlibDefault: Crc32Function = (bytes, init = 0) => zlibCrc32(bytes, init);
let crc32: Crc32Function = zlibDefault;

/** Probe buffers: the standard check string, and 4 KiB of varied bytes read at odd offsets and lengths. */
function probes(): Uint8Array[] {
  const check = new TextEncoder().encode('123456789');
  const varied = Uint8Array.from({ length: 4096 + 7 }, (_, i) => (i * 167 + (i >>> 5) * 31) & 0xff);
  return [check, new Uint8Array(0), varied, varied.subarray(1, 1 + 4093), varied.subarray(3, 3 + 255), varied.subarray(5, 5 + 64)];
}

/**
 * Installs `impl` as the CRC-32 of format v2 (`undefined` restores `zlib.crc32`) and returns the
 * previous one. Throws `CodecError('invalid-input')`, keeping the current one, if `impl` disagrees
 * with `zlib.crc32` on any probe: a wrong checksum would make every buffer unreadable elsewhere.
 */
export function setCrc32(impl: Crc32Function | undefined): Crc32Function {
  const previous = crc32;
  if (impl !== undefined) {
    for (const bytes of probes()) {
      const got = impl(bytes) >>> 0;
      const want = zlibCrc32(bytes) >>> 0;
      // Continued from a previous value, as the encoder uses it chunk by chunk.
      const cut = bytes.length >>> 1;
      const chained = impl(bytes.subarray(cut), impl(bytes.subarray(0, cut)) >>> 0) >>> 0;
      if (got !== want || chained !== want) {
        throw new CodecError(
          'invalid-input',
          `crc32 replacement gives ${(got === want ? chained : got).toString(16)} for ${bytes.length} bytes${got === want ? ' (in two parts)' : ''}; zlib.crc32 gives ${want.toString(16)}`,
        );
      }
    }
  }
  crc32 = impl ?? zlibDefault;
  return previous;
}

/** A CRC-32 (format v2) of `bytes[0..end)`, advanced as the encoder writes them. */
export interface RunningCrc32 {
  /** Adds `bytes[at..end)` (final by now) where `at` is where the previous call stopped. */
  advance(end: number): void;
  /** The CRC-32 so far, unsigned. */
  value(): number;
}

/**
 * Starts a running CRC-32 over `bytes`. The encoder advances it right after writing each chunk,
 * so the checksum reads bytes still in cache instead of a second pass over memory.
 */
export function runningCrc32(bytes: Uint8Array): RunningCrc32 {
  let crc = 0;
  let at = 0;
  return {
    advance(end) {
      if (end <= at) return;
      crc = crc32(bytes.subarray(at, end), crc) >>> 0;
      at = end;
    },
    value: () => crc,
  };
}

/** Checksum of `bytes` as an unsigned 32-bit integer for a buffer of format `version` (1 or 2). */
export function trailerChecksum(version: number, bytes: Uint8Array): number {
  return version === 1 ? crc32c(bytes) : crc32(bytes) >>> 0;
}
