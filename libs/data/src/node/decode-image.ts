import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from '../errors.js';
import { jpegComponents } from '../jpeg-components.js';

/** One decoded image: bytes 0..255, row-major HWC, 1 (grayscale) or 3 (RGB) channels; alpha is dropped. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

const isPng = (b: Uint8Array) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Keeps `channels` of every RGBA pixel (the decoders' output), in order. */
function fromRgba(rgba: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p += 1) {
    for (let c = 0; c < channels; c += 1) out[p * channels + c] = rgba[p * 4 + c] as number;
  }
  return out;
}

/**
 * Decodes a PNG (pngjs) or JPEG (jpeg-js), told apart by their magic bytes, not the extension.
 * Grayscale PNGs (with or without alpha) and one-component JPEGs give 1 channel; everything
 * else 3. `file` names the image in errors.
 */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  try {
    if (isPng(bytes)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const channels = png.colorType === 0 || png.colorType === 4 ? 1 : 3;
      return { width: png.width, height: png.height, channels, pixels: fromRgba(png.data, png.width, png.height, channels) };
    }
    if (isJpeg(bytes)) {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      const channels = jpegComponents(bytes) === 1 ? 1 : 3;
      return { width: image.width, height: image.height, channels, pixels: fromRgba(image.data, image.width, image.height, channels) };
    }
  } catch (cause) {
    throw new DataError('CORRUPT_FILE', `cannot decode ${file}: ${(cause as Error).message}`, { cause });
  }
  throw new DataError('CORRUPT_FILE', `cannot decode ${file}: not a PNG or JPEG file (magic bytes)`);
}
