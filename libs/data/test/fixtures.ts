/** Hand-built binary files for parser and loader tests. */

/** IDX3 image file of `count` images of height × width; pixel i of image n = (n * 7 + i) % 256. */
export function idxImagesBytes(count: number, height: number, width: number): Uint8Array {
  const bytes = new Uint8Array(16 + count * height * width);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00000803);
  view.setUint32(4, count);
  view.setUint32(8, height);
  view.setUint32(12, width);
  for (let n = 0; n < count; n += 1) {
    for (let i = 0; i < height * width; i += 1) bytes[16 + n * height * width + i] = (n * 7 + i) % 256;
  }
  return bytes;
}

/** IDX1 label file. */
export function idxLabelsBytes(labels: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(8 + labels.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00000801);
  view.setUint32(4, labels.length);
  bytes.set(labels, 8);
  return bytes;
}

/** CIFAR-10 records; red plane = 10 + n, green = 20 + n, blue = pixel index % 256 (so layout is checkable). */
export function cifarBytes(labels: readonly number[]): Uint8Array {
  const record = 1 + 3 * 1024;
  const bytes = new Uint8Array(labels.length * record);
  labels.forEach((label, n) => {
    const base = n * record;
    bytes[base] = label;
    for (let p = 0; p < 1024; p += 1) {
      bytes[base + 1 + p] = 10 + n;
      bytes[base + 1 + 1024 + p] = 20 + n;
      bytes[base + 1 + 2048 + p] = p % 256;
    }
  });
  return bytes;
}
