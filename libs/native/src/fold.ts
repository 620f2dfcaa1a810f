/**
 * Loads the aggregation addon (`build/Release/fedssd_fold.node`, built with the oneDNN addon by
 * `npm run build:native` but independent of oneDNN): a SIMD FedAvg fold, bitwise equal to
 * `@fedssd/fedavg`'s JS kernel, and CRC-32 from ISA-L when `libisal-dev` was present at build
 * time. Absence is normal: callers get a one-line reason instead of an exception.
 */
import { builtAddonPath, createAddonLoader, type Load } from './load-addon.js';

/** The addon surface. */
export interface FoldAddon {
  /**
   * `sum[j] = (((sum[j] + values[0][j]*weights[0]) + values[1][j]*weights[1]) + ...)` in place,
   * 1 to 4 values each `sum.length` long, float64 operations in exactly that order (no FMA).
   * Same signature as `@fedssd/fedavg`'s `FoldKernel`, so it can be injected as is.
   */
  fold(sum: Float64Array, values: readonly Float32Array[], weights: readonly number[]): void;
  /** CRC-32 as `zlib.crc32(bytes, init)`; absent when built without ISA-L. */
  crc32?: (bytes: Uint8Array, init?: number) => number;
  /** `foldIsa`: the SIMD loop this CPU runs; `crc32`: its implementation ('none' = not built in). */
  info(): { foldIsa: 'avx2' | 'sse2'; crc32: 'isa-l' | 'none' };
  /** Selects the fold loop (default: AVX2 when the CPU has it); false, and no change, if the CPU lacks it. For tests. */
  useFoldIsa(isa: 'avx2' | 'sse2'): boolean;
}

/** Result of trying to load the addon: the module, or why it is unavailable. */
export type FoldAddonLoad = Load<FoldAddon>;

/** Absolute path where node-gyp leaves the addon. */
export const foldAddonPath = builtAddonPath('fedssd_fold.node');

/** Loads the aggregation addon once per process; never throws. */
export const loadFoldAddon: () => FoldAddonLoad = createAddonLoader<FoldAddon>(foldAddonPath, 'fold addon');
