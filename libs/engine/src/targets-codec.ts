import type { SsdTargets } from '@fedssd/fedavg';

/**
 * Binary form of a run's SSD targets, as stored at `targetsKey(runId)`:
 *
 *   bytes 0-3  magic 'FSTG'
 *   bytes 4-7  uint32 LE: length L of the JSON header
 *   bytes 8..  UTF-8 JSON `{ v: 1, dim, clients, sliceSize, scale }`, zero-padded to a multiple of 4
 *   then       dim*dim float32 LE (the basis Q, row-major), then clients*sliceSize uint32 LE (slices)
 *
 * The scale travels in JSON so the float64 value the simulator uses arrives bit for bit; the
 * basis is float32 already. Little-endian typed arrays are assumed (every supported platform).
 */
const MAGIC = [0x46, 0x53, 0x54, 0x47];
const FORMAT_VERSION = 1;

/** Thrown when a targets blob cannot be decoded. */
export class TargetsCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetsCodecError';
  }
}

const align4 = (n: number) => (n + 3) & ~3;

/** Serialises targets; every slice must have the same length (as `createSsdTargets` makes them). */
export function encodeTargets(targets: SsdTargets): Uint8Array {
  const clients = targets.slices.length;
  const sliceSize = targets.slices[0]?.length ?? 0;
  if (targets.slices.some((s) => s.length !== sliceSize)) throw new TargetsCodecError('every slice must have the same length');
  if (targets.basis.length !== targets.dim * targets.dim)
    throw new TargetsCodecError(`basis has ${targets.basis.length} values, expected dim*dim = ${targets.dim ** 2}`);
  const header = new TextEncoder().encode(
    JSON.stringify({ v: FORMAT_VERSION, dim: targets.dim, clients, sliceSize, scale: targets.scale }),
  );
  const basisAt = 8 + align4(header.length);
  const slicesAt = basisAt + targets.basis.length * 4;
  const out = new Uint8Array(slicesAt + clients * sliceSize * 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  out.set(new Uint8Array(targets.basis.buffer, targets.basis.byteOffset, targets.basis.byteLength), basisAt);
  targets.slices.forEach((slice, k) => slice.forEach((c, j) => view.setUint32(slicesAt + (k * sliceSize + j) * 4, c, true)));
  return out;
}

/** Parses a blob made by {@link encodeTargets}; throws {@link TargetsCodecError} naming the problem. */
export function decodeTargets(bytes: Uint8Array): SsdTargets {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new TargetsCodecError('not a targets blob (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new TargetsCodecError('truncated header');
  let meta: { v: number; dim: number; clients: number; sliceSize: number; scale: number };
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new TargetsCodecError('header is not valid JSON');
  }
  if (meta.v !== FORMAT_VERSION)
    throw new TargetsCodecError(`unsupported targets format ${String(meta.v)}; this decoder reads ${FORMAT_VERSION}`);
  const basisAt = 8 + align4(headerLength);
  const slicesAt = basisAt + meta.dim * meta.dim * 4;
  const expected = slicesAt + meta.clients * meta.sliceSize * 4;
  if (bytes.length !== expected) throw new TargetsCodecError(`length ${bytes.length} does not match the header (expected ${expected})`);
  // Copy: the caller's buffer may be reused, and a fresh array is 4-byte aligned.
  const basis = new Float32Array(bytes.slice(basisAt, slicesAt).buffer);
  const slices = Array.from({ length: meta.clients }, (_, k) =>
    Array.from({ length: meta.sliceSize }, (_, j) => view.getUint32(slicesAt + (k * meta.sliceSize + j) * 4, true)),
  );
  return { dim: meta.dim, basis, slices, scale: meta.scale };
}
