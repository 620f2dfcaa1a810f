/** Bytes -> weights, verifying magic, version, length and checksum before parsing. Pure: no I/O. */
import type { WeightTensor, Weights } from '../weights.js';
import { CodecError } from './codec-error.js';
import { trailerChecksum } from './checksum.js';
import { fromHalfBits } from './fp16.js';
import { align4, BYTES_PER_ELEMENT, DTYPES, HEADER_BYTES, MAGIC, READABLE_VERSIONS, TRAILER_BYTES } from './format.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** Options of `decodeWeights`. */
export interface DecodeOptions {
  /**
   * Default true: fp32 values are copied into fresh arrays. false: fp32 values are views into
   * `input`'s buffer (no copy, no fresh memory to fault in; ~2x faster round trip here), valid
   * only while the caller neither mutates nor reuses that buffer. Ignored for fp16/int8.
   */
  readonly copy?: boolean;
}

/** Parses a buffer made by `encodeWeights`; throws `CodecError` naming the first problem. */
export function decodeWeights(input: Uint8Array, opts: DecodeOptions = {}): Weights {
  // Typed-array views need 4-byte aligned offsets; copy once if the caller's slice is not.
  const bytes = input.byteOffset % 4 === 0 ? input : input.slice();
  if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
    throw new CodecError('truncated', `truncated at byte ${bytes.length}: header and trailer need ${HEADER_BYTES + TRAILER_BYTES}`);
  }
  if (MAGIC.some((b, i) => bytes[i] !== b)) throw new CodecError('bad-magic', 'bad magic: not an encoded weights buffer');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (!READABLE_VERSIONS.includes(version)) {
    throw new CodecError('unsupported-version', `unsupported version ${version}; this decoder reads ${READABLE_VERSIONS.join(' and ')}`);
  }
  const total = view.getUint32(12, true);
  if (bytes.length < total) throw new CodecError('truncated', `truncated at byte ${bytes.length}: header says ${total} bytes`);
  if (bytes.length > total) throw new CodecError('length-mismatch', `length mismatch: header says ${total} bytes, got ${bytes.length}`);
  const stored = view.getUint32(total - TRAILER_BYTES, true);
  const actual = trailerChecksum(version, bytes.subarray(0, total - TRAILER_BYTES));
  if (stored !== actual) throw new CodecError('checksum-mismatch', `checksum mismatch: stored ${hex(stored)}, computed ${hex(actual)}`);

  const dtype = DTYPES[view.getUint8(6)];
  if (dtype === undefined) throw new CodecError('corrupt', `unknown dtype code ${view.getUint8(6)}`);
  const count = view.getUint32(8, true);
  const end = total - TRAILER_BYTES;
  let pos = HEADER_BYTES;
  // A valid checksum over a buffer another writer produced can still hold bad offsets.
  const need = (bytesNeeded: number, what: string): void => {
    if (pos + bytesNeeded > end)
      throw new CodecError('truncated', `truncated at byte ${end}: ${what} needs bytes ${pos}..${pos + bytesNeeded}`);
  };
  const out: WeightTensor[] = [];
  for (let t = 0; t < count; t += 1) {
    need(2, `tensor ${t} name length`);
    const nameBytes = view.getUint16(pos, true);
    need(2 + nameBytes, `tensor ${t} name`);
    let name: string;
    try {
      name = utf8.decode(bytes.subarray(pos + 2, pos + 2 + nameBytes));
    } catch (err) {
      throw new CodecError('corrupt', `tensor ${t} name is not valid utf8`, { cause: err });
    }
    pos = align4(pos + 2 + nameBytes);
    need(4, `tensor ${name} rank`);
    const rank = view.getUint32(pos, true);
    pos += 4;
    need(4 * rank, `tensor ${name} shape`);
    const shape: number[] = [];
    let n = 1;
    for (let d = 0; d < rank; d += 1, pos += 4) {
      shape.push(view.getUint32(pos, true));
      n *= shape[d] as number;
    }
    let scale = 0;
    if (dtype === 'int8') {
      need(4, `tensor ${name} scale`);
      scale = view.getFloat32(pos, true);
      pos += 4;
    }
    need(n * BYTES_PER_ELEMENT[dtype], `tensor ${name} data`);
    let values: Float32Array;
    if (dtype === 'fp32' && opts.copy === false) {
      values = new Float32Array(bytes.buffer, bytes.byteOffset + pos, n);
    } else if (dtype === 'fp32') {
      values = new Float32Array(n);
      new Uint8Array(values.buffer).set(bytes.subarray(pos, pos + n * 4));
    } else if (dtype === 'fp16') {
      values = new Float32Array(n);
      const half = new Uint16Array(bytes.buffer, bytes.byteOffset + pos, n);
      for (let i = 0; i < n; i += 1) values[i] = fromHalfBits(half[i] as number);
    } else {
      values = new Float32Array(n);
      const q = new Int8Array(bytes.buffer, bytes.byteOffset + pos, n);
      for (let i = 0; i < n; i += 1) values[i] = (q[i] as number) * scale;
    }
    pos += align4(n * BYTES_PER_ELEMENT[dtype]);
    out.push({ name, shape, values });
  }
  if (pos !== end) throw new CodecError('corrupt', `corrupt: ${end - pos} unparsed bytes after ${count} tensors`);
  return out;
}
