/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8: eight table lookups
 * per 8 bytes read as two little-endian 32-bit words. Pure JS, ~2 GB/s on this machine,
 * which keeps the checksum from dominating fp32 encode/decode.
 */
const POLY = 0x82f63b78;

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i += 1) {
    let c = i;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i += 1) {
    for (let s = 1; s < 8; s += 1) {
      const prev = t[(s - 1) * 256 + i] as number;
      t[s * 256 + i] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
  return t;
}

const T = buildTables();

function updateBytes(crc: number, bytes: Uint8Array, from: number, to: number): number {
  let c = crc;
  for (let i = from; i < to; i += 1) c = (T[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c;
}

/** CRC32C of `bytes` as an unsigned 32-bit integer (check value: "123456789" -> 0xE3069283). */
export function crc32c(bytes: Uint8Array): number {
  let crc = ~0;
  // Word loop needs a 4-byte aligned start; do the unaligned head byte by byte.
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset & 3)) & 3);
  crc = updateBytes(crc, bytes, 0, head);
  const words = ((bytes.length - head) >>> 3) << 1;
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words);
  for (let i = 0; i < words; i += 2) {
    const a = ((w[i] as number) ^ crc) | 0;
    const b = w[i + 1] as number;
    crc =
      (T[1792 + (a & 0xff)] as number) ^
      (T[1536 + ((a >>> 8) & 0xff)] as number) ^
      (T[1280 + ((a >>> 16) & 0xff)] as number) ^
      (T[1024 + (a >>> 24)] as number) ^
      (T[768 + (b & 0xff)] as number) ^
      (T[512 + ((b >>> 8) & 0xff)] as number) ^
      (T[256 + ((b >>> 16) & 0xff)] as number) ^
      (T[b >>> 24] as number);
  }
  crc = updateBytes(crc, bytes, head + words * 4, bytes.length);
  return ~crc >>> 0;
}
