/** Weights -> bytes (layout in `format.ts`). Pure: no I/O. */
import { sizeOf } from '../weights.js';
import type { Weights } from '../weights.js';
import { CodecError } from './codec-error.js';
import { runningCrc32 } from './checksum.js';
import { FP16_MAX, toHalfBits } from './fp16.js';
import { align4, BYTES_PER_ELEMENT, DTYPES, HEADER_BYTES, MAGIC, TRAILER_BYTES, VERSION, tensorSectionBytes } from './format.js';
import type { WeightsDtype } from './format.js';

/** Options of `encodeWeights`. */
export interface EncodeOptions {
  /** Element encoding. Default 'fp32' (bit-exact). fp16: |err| <= 2^-11 relative; int8: |err| <= maxAbs/254 per tensor. */
  readonly dtype?: WeightsDtype;
  /**
   * Write into this buffer instead of a new one (byteOffset a multiple of 4, at least
   * `weightsByteLength(weights, dtype)` bytes; the result is a view of its start). Reusing one
   * buffer skips the page faults of fresh memory, which on this VM cost more than the encoding
   * itself (~5 ms per MB). The result is only valid until the buffer is written again.
   */
  readonly into?: Uint8Array;
}

const utf8 = new TextEncoder();

/** fp32 data is copied and checksummed this many bytes at a time: the CRC reads them from cache. */
const CHUNK_BYTES = 128 * 1024;

function writeFp16(values: Float32Array, out: Uint16Array, name: string): void {
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i] as number;
    if (Math.abs(v) > FP16_MAX) throw new CodecError('invalid-input', `weight ${name}[${i}] = ${v} is outside the fp16 range ±${FP16_MAX}`);
    out[i] = toHalfBits(v);
  }
}

/** Symmetric per-tensor quantisation: q = round(v / scale), scale = maxAbs / 127. */
function writeInt8(values: Float32Array, out: Int8Array, name: string): number {
  let maxAbs = 0;
  for (let i = 0; i < values.length; i += 1) {
    const a = Math.abs(values[i] as number);
    if (!Number.isFinite(a)) throw new CodecError('invalid-input', `weight ${name}[${i}] is not finite; int8 needs finite values`);
    if (a > maxAbs) maxAbs = a;
  }
  const scale = maxAbs / 127;
  const inv = scale > 0 ? 1 / scale : 0;
  for (let i = 0; i < values.length; i += 1) out[i] = Math.round((values[i] as number) * inv);
  return scale;
}

function target(into: Uint8Array, total: number): Uint8Array {
  if (into.byteOffset % 4 !== 0)
    throw new CodecError('invalid-input', `into must start at a multiple of 4 bytes (byteOffset ${into.byteOffset})`);
  if (into.length < total) throw new CodecError('invalid-input', `into holds ${into.length} bytes; the encoding needs ${total}`);
  return into.subarray(0, total);
}

/** Serialises weights (names, shapes, values) into one self-checking buffer. */
export function encodeWeights(weights: Weights, opts: EncodeOptions = {}): Uint8Array {
  const dtype = opts.dtype ?? 'fp32';
  if (!DTYPES.includes(dtype)) throw new CodecError('invalid-input', `dtype must be one of ${DTYPES.join(', ')}, got ${String(dtype)}`);
  const names = weights.map((w) => utf8.encode(w.name));
  let total = HEADER_BYTES + TRAILER_BYTES;
  weights.forEach((w, i) => {
    const nameBytes = (names[i] as Uint8Array).length;
    if (nameBytes > 0xffff)
      throw new CodecError('invalid-input', `weight name ${w.name.slice(0, 40)}... is ${nameBytes} bytes; at most 65535`);
    if (sizeOf(w.shape) !== w.values.length) {
      throw new CodecError(
        'invalid-input',
        `weight ${w.name}: shape [${w.shape.join(',')}] needs ${sizeOf(w.shape)} values, has ${w.values.length}`,
      );
    }
    total += tensorSectionBytes(nameBytes, w.shape.length, w.values.length, dtype);
  });
  if (total > 0xffffffff) throw new CodecError('invalid-input', `encoded size ${total} bytes exceeds the 4 GiB format limit`);

  const out = opts.into === undefined ? new Uint8Array(total) : target(opts.into, total);
  const view = new DataView(out.buffer, out.byteOffset, total);
  // A reused buffer holds old bytes: every padding byte is written below, so equal weights give equal bytes.
  out.set(MAGIC, 0);
  view.setUint16(4, VERSION, true);
  view.setUint8(6, DTYPES.indexOf(dtype));
  view.setUint8(7, 0);
  view.setUint32(8, weights.length, true);
  view.setUint32(12, total, true);
  let pos = HEADER_BYTES;
  // Format v2's CRC-32 (VERSION), over every byte before the trailer, computed as they are written.
  const crc = runningCrc32(out);
  weights.forEach((w, i) => {
    const name = names[i] as Uint8Array;
    view.setUint16(pos, name.length, true);
    out.set(name, pos + 2);
    out.fill(0, pos + 2 + name.length, align4(pos + 2 + name.length));
    pos = align4(pos + 2 + name.length);
    view.setUint32(pos, w.shape.length, true);
    pos += 4;
    for (const d of w.shape) {
      view.setUint32(pos, d, true);
      pos += 4;
    }
    const n = w.values.length;
    if (dtype === 'fp32') {
      const data = new Uint8Array(w.values.buffer, w.values.byteOffset, n * 4);
      for (let at = 0; at < data.length; at += CHUNK_BYTES) {
        const chunk = data.subarray(at, at + CHUNK_BYTES);
        out.set(chunk, pos + at);
        crc.advance(pos + at + chunk.length);
      }
    } else if (dtype === 'fp16') {
      writeFp16(w.values, new Uint16Array(out.buffer, out.byteOffset + pos, n), w.name);
    } else {
      const scaleAt = pos;
      pos += 4;
      view.setFloat32(scaleAt, writeInt8(w.values, new Int8Array(out.buffer, out.byteOffset + pos, n), w.name), true);
    }
    const dataBytes = n * BYTES_PER_ELEMENT[dtype];
    out.fill(0, pos + dataBytes, pos + align4(dataBytes));
    pos += align4(dataBytes);
    crc.advance(pos);
  });
  crc.advance(pos);
  view.setUint32(pos, crc.value(), true);
  return out;
}
