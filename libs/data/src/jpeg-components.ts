/**
 * Number of colour components a baseline or progressive JPEG declares in its frame header
 * (1 = grayscale, 3 = YCbCr/RGB, 4 = CMYK), or undefined when no frame header is found. The
 * decoder always returns RGB(A), so this is how a grayscale JPEG is told from a colour one.
 */
export function jpegComponents(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const length = ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number);
    // SOF0..SOF15 carry the frame header; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return offset + 9 < bytes.length ? (bytes[offset + 9] as number) : undefined;
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data or end before any frame header
    offset += 2 + length;
  }
  return undefined;
}
