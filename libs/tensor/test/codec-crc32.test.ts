import { afterEach, describe, expect, it } from 'vitest';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { CodecError, crc32c, decodeWeights, encodeWeights, normaliseWeights, setCrc32, type Crc32Function } from '../src/index.js';

const sample = normaliseWeights([
  { name: 'a.kernel', shape: [3, 5], values: Float32Array.from({ length: 15 }, (_, i) => i / 3 - 2) },
  { name: 'a.bias', shape: [5], values: Float32Array.from({ length: 5 }, (_, i) => -i) },
]);

afterEach(() => {
  setCrc32(undefined);
});

describe('codec v2 trailer', () => {
  it('when tensors span many copy chunks, then the running CRC equals zlib.crc32 of every byte before the trailer', () => {
    const big = normaliseWeights([
      { name: 'odd', shape: [3], values: Float32Array.of(1, 2, 3) },
      { name: 'big.kernel', shape: [300_001], values: Float32Array.from({ length: 300_001 }, (_, i) => Math.sin(i)) },
      { name: 'tail', shape: [2, 2], values: Float32Array.of(-1, 0, 1, 2) },
    ]);
    const into = new Uint8Array(1_300_000).fill(7);
    for (const bytes of [encodeWeights(big), encodeWeights(big, { into })]) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      expect(view.getUint32(bytes.length - 4, true)).toBe(zlibCrc32(bytes.subarray(0, bytes.length - 4)) >>> 0);
      expect(decodeWeights(bytes)).toEqual(big);
    }
  });
});

describe('setCrc32 (replaceable CRC-32 of codec v2)', () => {
  it('when a replacement agrees with zlib.crc32, then encode and decode use it and the bytes do not change', () => {
    const reference = encodeWeights(sample).slice();
    let calls = 0;
    const counted: Crc32Function = (bytes, init) => {
      calls += 1;
      return zlibCrc32(bytes, init);
    };
    setCrc32(counted);
    calls = 0;
    const bytes = encodeWeights(sample);
    expect(Buffer.from(bytes).equals(Buffer.from(reference))).toBe(true);
    expect(calls).toBeGreaterThan(0);
    calls = 0;
    expect(decodeWeights(bytes)).toEqual(sample);
    expect(calls).toBe(1);
    expect(setCrc32(undefined)).toBe(counted);
  });

  it('when a replacement gives other values (here CRC32C), then it is refused and zlib.crc32 stays', () => {
    const refuse = (): unknown => setCrc32(crc32c);
    expect(refuse).toThrow(CodecError);
    expect(refuse).toThrow(/crc32 replacement gives e3069283 for 9 bytes; zlib.crc32 gives cbf43926/);
    const bytes = encodeWeights(sample);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(bytes.length - 4, true)).toBe(zlibCrc32(bytes.subarray(0, bytes.length - 4)) >>> 0);
  });

  it('when a replacement ignores the value to continue from, then it is refused (the encoder chains chunks)', () => {
    expect(() => setCrc32((bytes) => zlibCrc32(bytes))).toThrow(/\(in two parts\)/);
  });

  it('when a replacement is right only on aligned whole buffers, then a probe at an odd offset refuses it', () => {
    // Reads from the start of the underlying buffer, ignoring byteOffset: a classic binding bug.
    const ignoresOffset: Crc32Function = (bytes) => zlibCrc32(new Uint8Array(bytes.buffer, 0, bytes.length));
    expect(() => setCrc32(ignoresOffset)).toThrow(CodecError);
  });
});
