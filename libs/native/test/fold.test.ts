import { assertFoldKernel, createFedAvg, jsFoldKernel } from '@fedssd/fedavg';
import { createRng, setCrc32 } from '@fedssd/tensor';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { foldAddon } from './fold-available.js';

const bits = (a: Float64Array): BigUint64Array => new BigUint64Array(a.buffer, a.byteOffset, a.length);

/**
 * Values where the order of float64 operations shows: ±2^50 terms that cancel only in order,
 * small terms they swallow otherwise, and sample counts that are not powers of two (products
 * round). Float32 views start at an odd element, like views into a decoded blob.
 */
function case_(seed: number, n: number, k: number) {
  const rng = createRng(seed);
  const picks = [2 ** 50, -(2 ** 50), 1, -1, 0.3, -7.1, 1e-3, 12345.678];
  const pick = (): number => picks[Math.floor(rng.uniform(0, picks.length))] as number;
  const weights = [0.1, 3, 1 / 3, 107].slice(0, k);
  const sum = Float64Array.from({ length: n }, () => pick() * (weights[Math.floor(rng.uniform(0, k))] as number));
  const values = weights.map(() => Float32Array.from({ length: n + 1 }, pick).subarray(1));
  return { sum, values, weights };
}

describe.skipIf(foldAddon === undefined)('native fold (fedssd_fold addon)', () => {
  const addon = foldAddon!;

  const isas = [addon.info().foldIsa, ...(['sse2', 'avx2'] as const).filter((isa) => isa !== addon.info().foldIsa)];

  // Every loop the CPU has (the default first, then the others), each restored to the default after.
  it.each(isas.flatMap((isa) => [1, 2, 3, 4].map((k) => ({ isa, k }))))(
    'when $k updates are folded per pass by the $isa loop, then the float64 sums equal the JS kernel bit for bit',
    ({ isa, k }) => {
      const original = addon.info().foldIsa;
      if (!addon.useFoldIsa(isa)) return; // this CPU lacks it: nothing to compare
      try {
        expect(addon.info().foldIsa).toBe(isa);
        for (const n of [0, 1, 3, 7, 8, 9, 15, 16, 17, 1003]) {
          const c = case_(100 * k + n, n, k);
          const js = Float64Array.from(c.sum);
          jsFoldKernel(js, c.values, c.weights);
          const native = Float64Array.from(c.sum);
          addon.fold(native, c.values, c.weights);
          expect(bits(native)).toEqual(bits(js));
          if (n === 1003) expect(bits(js)).not.toEqual(bits(c.sum));
        }
      } finally {
        addon.useFoldIsa(original);
      }
    },
  );

  it('when installed in an accumulator, then it passes the probe and the average has the JS bytes', () => {
    expect(() => assertFoldKernel(addon.fold)).not.toThrow();
    const template = [{ name: 'w', shape: [1003], values: new Float32Array(1003) }];
    const updates = Array.from({ length: 7 }, (_, u) => ({
      weights: [{ ...template[0]!, values: case_(u, 1003, 1).values[0]! }],
      samples: 3 + u,
    }));
    const js = createFedAvg(template);
    js.addAll(updates);
    const native = createFedAvg(template, { fold: addon.fold });
    native.addAll(updates);
    expect(native.result()).toEqual(js.result());
  });

  it('when the arguments are wrong, then it throws a TypeError and leaves the sums alone', () => {
    const sum = new Float64Array(4).fill(1);
    const v = new Float32Array(4).fill(2);
    const call = (fn: () => void, message: RegExp): void => {
      expect(fn).toThrow(TypeError);
      expect(fn).toThrow(message);
    };
    call(() => addon.fold(new Float32Array(4) as unknown as Float64Array, [v], [1]), /sum must be a Float64Array/);
    call(() => addon.fold(sum, [new Float32Array(3)], [1]), /every value must have sum.length elements/);
    call(() => addon.fold(sum, [v, v, v, v, v], [1, 1, 1, 1, 1]), /1 to 4 values and as many weights/);
    call(() => addon.fold(sum, [v], []), /1 to 4 values and as many weights/);
    call(() => addon.fold(sum, [new Float64Array(4) as unknown as Float32Array], [1]), /every value must be a Float32Array/);
    expect([...sum]).toEqual([1, 1, 1, 1]);
  });
});

describe.skipIf(foldAddon?.crc32 === undefined)('native CRC-32 (ISA-L)', () => {
  const crc32 = foldAddon!.crc32!;

  it('when given any bytes, offset or length, then it equals zlib.crc32, chained values included', () => {
    const rng = createRng(7);
    const data = Uint8Array.from({ length: 70_000 }, () => Math.floor(rng.uniform(0, 256)));
    for (const offset of [0, 1, 3, 5, 8]) {
      for (const length of [0, 1, 7, 16, 63, 64, 65, 255, 4096, 69_000]) {
        const bytes = data.subarray(offset, offset + length);
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
      }
    }
    expect(crc32(data.subarray(999), crc32(data.subarray(0, 999)))).toBe(zlibCrc32(data));
  });

  it('when installed in the codec, then setCrc32 accepts it', () => {
    expect(() => setCrc32(crc32)).not.toThrow();
    setCrc32(undefined);
  });
});
