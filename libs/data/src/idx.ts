import { DataError } from './errors.js';

/** Magic numbers of the IDX format: two zero bytes, type 0x08 (unsigned byte), rank. */
const IDX_IMAGES_MAGIC = 0x00000803;
const IDX_LABELS_MAGIC = 0x00000801;

/** Decoded IDX image file (rank 3, unsigned bytes). */
export interface IdxImages {
  count: number;
  height: number;
  width: number;
  /** `count × height × width` values scaled from 0..255 to [0, 1]. */
  images: Float32Array;
}

function corrupt(detail: string): DataError {
  return new DataError('CORRUPT_FILE', `corrupt IDX file: ${detail}`);
}

function header(bytes: Uint8Array, magic: number, rank: number): { view: DataView; dims: number[] } {
  const headerBytes = 4 + 4 * rank;
  const tooShort = (): DataError => corrupt(`${bytes.length} bytes is shorter than the ${headerBytes}-byte header`);
  if (bytes.length < 4) throw tooShort();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Magic first: a label file passed as images should say so, not complain about its size.
  const found = view.getUint32(0, false);
  if (found !== magic) {
    const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
    throw corrupt(`magic ${hex(found)}, expected ${hex(magic)}`);
  }
  if (bytes.length < headerBytes) throw tooShort();
  const dims: number[] = [];
  for (let i = 0; i < rank; i += 1) dims.push(view.getUint32(4 + 4 * i, false));
  return { view, dims };
}

/**
 * Parses an uncompressed IDX3 image file (MNIST layout). `limit` keeps only the first N images,
 * which saves the float conversion of the rest.
 */
export function parseIdxImages(bytes: Uint8Array, options: { limit?: number } = {}): IdxImages {
  const { dims } = header(bytes, IDX_IMAGES_MAGIC, 3);
  const [total = 0, height = 0, width = 0] = dims;
  if (height === 0 || width === 0) throw corrupt(`image size ${height}x${width} is empty`);
  const pixels = height * width;
  const expected = 16 + total * pixels;
  if (bytes.length !== expected) {
    throw corrupt(`header says ${total} images of ${height}x${width} (${expected} bytes), file has ${bytes.length} bytes`);
  }
  const count = options.limit === undefined ? total : Math.min(total, options.limit);
  const images = new Float32Array(count * pixels);
  for (let i = 0; i < images.length; i += 1) images[i] = (bytes[16 + i] as number) / 255;
  return { count, height, width, images };
}

/** Parses an uncompressed IDX1 label file; `limit` keeps only the first N labels. */
export function parseIdxLabels(bytes: Uint8Array, options: { limit?: number } = {}): Int32Array {
  const { dims } = header(bytes, IDX_LABELS_MAGIC, 1);
  const total = dims[0] ?? 0;
  if (bytes.length !== 8 + total) {
    throw corrupt(`header says ${total} labels (${8 + total} bytes), file has ${bytes.length} bytes`);
  }
  const count = options.limit === undefined ? total : Math.min(total, options.limit);
  return Int32Array.from(bytes.subarray(8, 8 + count));
}
