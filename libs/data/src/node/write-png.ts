import { PNG } from 'pngjs';

/**
 * Encodes bytes (0..255, row-major HWC, 1 or 3 channels) as a lossless 8-bit grayscale or RGB
 * PNG, so decoding it gives back the same bytes (and `decodeImage` the same floats).
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  const colorType = channels === 1 ? 0 : 2;
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false });
}
