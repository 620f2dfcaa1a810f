import { describe, expect, it } from 'vitest';
import { CodecError, createRng, crc32c, decodeWeights, encodeWeights, normaliseWeights, weightsByteLength } from '../src/index.js';
import type { Weights } from '../src/index.js';

function makeWeights(seed: number, sizes: Array<[string, number[]]>): Weights {
  const rng = createRng(seed);
  return normaliseWeights(
    sizes.map(([name, shape]) => ({
      name,
      shape,
      values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.5),
    })),
  );
}

const sample = makeWeights(1, [
  ['encoder.stem.conv.kernel', [3, 3, 1, 32]],
  ['encoder.stem.bn.gamma', [32]],
  ['projector.bn.runningMean', [7]],
  ['head.bias', [3]],
  ['scalar', []],
  ['empty', [0, 4]],
  ['ünïcødé.名前', [2, 5]],
]);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof CodecError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return undefined;
}

describe('weights codec', () => {
  it('crc32c matches the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    // Unaligned start and lengths not a multiple of 8 go through the byte paths.
    const data = new Uint8Array(64).map((_, i) => i * 7);
    expect(crc32c(data.subarray(1, 40))).toBe(crc32c(data.slice(1, 40)));
  });

  it('fp32 round-trips bit-exactly, including NaN payloads, -0, and subnormals', () => {
    const special = new Float32Array([Number.NaN, -0, 1e-45, -3.4e38, Number.POSITIVE_INFINITY]);
    const w = normaliseWeights([...sample, { name: 'special', shape: [5], values: special }]);
    const bytes = encodeWeights(w);
    expect(bytes.length).toBe(weightsByteLength(w));
    expect(bytes.length % 4).toBe(0);
    const back = decodeWeights(bytes);
    expect(back.map((t) => [t.name, t.shape])).toEqual(w.map((t) => [t.name, [...t.shape]]));
    back.forEach((t, i) => {
      const src = (w[i] as (typeof w)[number]).values;
      expect(new Uint32Array(t.values.buffer)).toEqual(new Uint32Array(src.buffer, src.byteOffset, src.length));
    });
  });

  it('with copy: false, fp32 values are views into the input buffer', () => {
    const bytes = encodeWeights(sample);
    const back = decodeWeights(bytes, { copy: false });
    const first = back[0] as (typeof back)[number];
    expect(first.values.buffer).toBe(bytes.buffer);
    expect(Array.from(first.values)).toEqual(Array.from((sample[0] as (typeof sample)[number]).values));
  });

  it('fp16 stays within half precision (relative 2^-11) and halves the payload', () => {
    const bytes = encodeWeights(sample, { dtype: 'fp16' });
    expect(bytes.length).toBe(weightsByteLength(sample, 'fp16'));
    expect(bytes.length).toBeLessThan(weightsByteLength(sample) * 0.6);
    decodeWeights(bytes).forEach((t, i) => {
      const src = (sample[i] as (typeof sample)[number]).values;
      src.forEach((v, j) => expect(Math.abs((t.values[j] as number) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25));
    });
    expect(codeOf(() => encodeWeights([{ name: 'big', shape: [1], values: new Float32Array([70000]) }], { dtype: 'fp16' }))).toMatch(
      /invalid-input: weight big\[0\] = 70000 is outside the fp16 range/,
    );
  });

  it('int8 stays within half a quantisation step (maxAbs/254) per tensor', () => {
    const back = decodeWeights(encodeWeights(sample, { dtype: 'int8' }));
    back.forEach((t, i) => {
      const src = (sample[i] as (typeof sample)[number]).values;
      const maxAbs = src.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      src.forEach((v, j) => expect(Math.abs((t.values[j] as number) - v)).toBeLessThanOrEqual((maxAbs / 254) * 1.0001));
    });
    const zeros = decodeWeights(encodeWeights([{ name: 'z', shape: [3], values: new Float32Array(3) }], { dtype: 'int8' }));
    expect(Array.from((zeros[0] as (typeof zeros)[number]).values)).toEqual([0, 0, 0]);
  });

  it('when a byte flips, then decode reports a checksum mismatch', () => {
    const bytes = encodeWeights(sample);
    bytes[200] = (bytes[200] as number) ^ 1;
    expect(codeOf(() => decodeWeights(bytes))).toMatch(/^checksum-mismatch: checksum mismatch: stored 0x[0-9a-f]{8}, computed/);
  });

  it('when the buffer is cut or extended, then decode names the byte and length', () => {
    const bytes = encodeWeights(sample);
    expect(codeOf(() => decodeWeights(bytes.subarray(0, 100)))).toBe(`truncated: truncated at byte 100: header says ${bytes.length} bytes`);
    expect(codeOf(() => decodeWeights(bytes.subarray(0, 10)))).toMatch(/^truncated: truncated at byte 10/);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(codeOf(() => decodeWeights(longer))).toMatch(/^length-mismatch: length mismatch: header says/);
  });

  it('when magic or version is wrong, then decode says so', () => {
    const bytes = encodeWeights(sample);
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(codeOf(() => decodeWeights(badMagic))).toMatch(/^bad-magic/);
    const badVersion = bytes.slice();
    badVersion[4] = 9;
    expect(codeOf(() => decodeWeights(badVersion))).toBe('unsupported-version: unsupported version 9; this decoder reads 1 and 2');
  });

  it('the trailer is the CRC-32 (IEEE) of every byte before it', () => {
    // Bitwise reference CRC-32 (reflected polynomial 0xEDB88320), independent of the codec's.
    const crc32 = (bytes: Uint8Array): number => {
      let c = ~0;
      for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return ~c >>> 0;
    };
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const bytes = encodeWeights(sample, { dtype: 'fp16' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint16(4, true)).toBe(2);
    expect(view.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
  });

  it('when a buffer is of version 1 (CRC32C trailer), then it still decodes and is still checked', () => {
    const v1 = encodeWeights(sample).slice();
    const view = new DataView(v1.buffer);
    view.setUint16(4, 1, true);
    view.setUint32(v1.length - 4, crc32c(v1.subarray(0, v1.length - 4)), true);
    expect(decodeWeights(v1).map((t) => Array.from(t.values))).toEqual(sample.map((t) => Array.from(t.values)));
    v1[100] = (v1[100] as number) ^ 4;
    expect(codeOf(() => decodeWeights(v1))).toMatch(/^checksum-mismatch/);
  });

  it('when encoding into a reused buffer, then the bytes equal a fresh encoding (stale bytes overwritten)', () => {
    const host = new Uint8Array(weightsByteLength(sample) + 64).fill(0xaa);
    for (const dtype of ['fp32', 'fp16', 'int8'] as const) {
      host.fill(0xaa);
      const into = host.subarray(8);
      const out = encodeWeights(sample, { dtype, into });
      expect(out.buffer).toBe(host.buffer);
      expect(out.byteOffset).toBe(8);
      expect(Buffer.from(out).equals(Buffer.from(encodeWeights(sample, { dtype })))).toBe(true);
    }
    expect(codeOf(() => encodeWeights(sample, { into: host.subarray(2) }))).toBe(
      'invalid-input: into must start at a multiple of 4 bytes (byteOffset 2)',
    );
    expect(codeOf(() => encodeWeights(sample, { into: new Uint8Array(16) }))).toBe(
      `invalid-input: into holds 16 bytes; the encoding needs ${weightsByteLength(sample)}`,
    );
  });

  it('decodes from an unaligned slice of a larger buffer', () => {
    const bytes = encodeWeights(sample);
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    expect(decodeWeights(host.subarray(3)).map((t) => t.name)).toEqual(sample.map((t) => t.name));
  });

  it('when shape and values disagree, then encode names the weight', () => {
    expect(codeOf(() => encodeWeights([{ name: 'w', shape: [2, 2], values: new Float32Array(3) }]))).toBe(
      'invalid-input: weight w: shape [2,2] needs 4 values, has 3',
    );
  });

  it('when a multi-megabyte fp32 model round-trips, then every value is bit-identical', () => {
    // Speed is measured in bench/, not here; this pins correctness at a realistic size.
    const big = makeWeights(2, [
      ['a', [500, 3000]],
      ['b', [3, 3, 128, 128]],
      ['c', [256]],
    ]);
    const decoded = decodeWeights(encodeWeights(big), { copy: false });
    expect(decoded.map((w) => w.name)).toEqual(big.map((w) => w.name));
    decoded.forEach((w, i) => {
      expect(
        Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength).equals(
          Buffer.from(big[i]!.values.buffer, big[i]!.values.byteOffset, big[i]!.values.byteLength),
        ),
      ).toBe(true);
    });
  });
});
