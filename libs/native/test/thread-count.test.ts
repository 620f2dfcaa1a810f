/**
 * The memory-bound kernels run on OpenMP threads; the project promises the same model bytes for
 * the same seed, config and backend, so their outputs must not depend on how many threads run
 * them. Each case runs one kernel at 1, 2 and 4 threads with spreading forced on (threshold 0,
 * so even small inputs split), at the default threshold and with spreading off, and compares SHA-256 digests of
 * the output bytes: with each other, and with digests recorded from the single-threaded kernels
 * before they were parallelised (commit 057815a), so a fast path that changed one rounding fails.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_PARALLEL_MIN_ELEMENTS, loadNativeAddon, type NativeAddon } from '@fedssd/native';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeAvailable } from './native-available.js';

/** Deterministic floats in [lo, hi) from a 32-bit LCG (no Math.random, no TF.js). */
function floats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

function digest(arrays: Float32Array[]): string {
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex').slice(0, 16);
}

interface Case {
  readonly name: string;
  /** Runs the kernel on fresh outputs and returns them. */
  readonly run: (addon: NativeAddon) => Float32Array[];
  /** Digest of the outputs of the serial kernels at 057815a. */
  readonly reference: string;
}

/** rows x c activations with a per-channel offset and spread, so the statistics matter. */
function activation(rows: number, c: number, seed: number): Float32Array {
  const x = floats(rows * c, seed);
  for (let i = 0; i < x.length; i += 1) x[i] = (x[i] as number) * (1 + (i % c) * 0.25) + (i % c) * 0.3 - 0.4;
  return x;
}

function bnTrain(rows: number, c: number, relu: boolean, reference: string): Case {
  return {
    name: `batchNormTrain rows=${rows} c=${c} relu=${relu}`,
    reference,
    run: (addon) => {
      const x = activation(rows, c, 1);
      const y = new Float32Array(rows * c);
      const mean = new Float32Array(c);
      const variance = new Float32Array(c);
      addon.batchNormTrain(c, 1e-5, relu, x, floats(c, 2, 0.5, 1.5), floats(c, 3), y, mean, variance);
      return [y, mean, variance];
    },
  };
}

function bnTrainGrad(rows: number, c: number, relu: boolean, reference: string): Case {
  return {
    name: `batchNormTrainGrad rows=${rows} c=${c} relu=${relu}`,
    reference,
    run: (addon) => {
      const x = activation(rows, c, 4);
      const mean = new Float32Array(c);
      const variance = new Float32Array(c);
      const scale = floats(c, 5, 0.5, 1.5);
      const y = new Float32Array(rows * c);
      addon.batchNormTrain(c, 1e-5, relu, x, scale, floats(c, 6), y, mean, variance);
      const dx = new Float32Array(rows * c);
      const dscale = new Float32Array(c);
      const doffset = new Float32Array(c);
      addon.batchNormTrainGrad(c, 1e-5, floats(rows * c, 7), x, mean, variance, scale, relu ? y : null, dx, dscale, doffset);
      return [dx, dscale, doffset];
    },
  };
}

const ADD = 0;
const MUL = 2;
const RELU_GRAD = 6;
const RELU = 0;

function binary(kind: number, out: number[], sa: number[], sb: number[], na: number, nb: number, reference: string): Case {
  return {
    name: `binary kind=${kind} out=[${out.join(',')}] strides a=[${sa.join(',')}] b=[${sb.join(',')}]`,
    reference,
    run: (addon) => {
      const y = new Float32Array(out.reduce((p, d) => p * d, 1));
      addon.binary(kind, out, sa, sb, floats(na, 8), floats(nb, 9), y);
      return [y];
    },
  };
}

const CASES: Case[] = [
  // 16-row blocks with a partial last one, channel counts off the SIMD width, and the sizes of
  // ResNet-18 w=0.25's first stage (131072 rows x 16).
  bnTrain(597, 24, false, 'a41a399dd0993882'),
  bnTrain(597, 24, true, 'bea2d9078ad9db8f'),
  bnTrain(5, 3, true, '4428b2d6e48925fe'),
  bnTrain(131072, 16, true, '9036bcaa8e56699c'),
  bnTrainGrad(597, 24, false, 'cfb84709f97b86dd'),
  bnTrainGrad(597, 24, true, '038913d9349b8cdb'),
  bnTrainGrad(5, 3, false, 'aa32de66c4650400'),
  bnTrainGrad(131072, 16, true, '80d6517967f22a24'),
  // Same-shape inputs collapse to one long row (gradient accumulation, the relu mask).
  binary(ADD, [300001], [1], [1], 300001, 300001, 'ab1629916dad856c'),
  binary(RELU_GRAD, [70001], [1], [1], 70001, 70001, 'aee6e0327cc52b91'),
  // Per-channel broadcast over many short rows.
  binary(MUL, [4099, 24], [24, 1], [0, 1], 4099 * 24, 24, 'b1530897c848fb89'),
  {
    name: 'unary relu n=300001',
    reference: 'fdc1b47981c5f4c0',
    run: (addon) => {
      const y = new Float32Array(300001);
      addon.unary(RELU, 0, floats(300001, 10), y);
      return [y];
    },
  },
  {
    name: 'batchNorm (given statistics) rows=4099 c=24',
    reference: '19f9f5e204a98727',
    run: (addon) => {
      const y = new Float32Array(4099 * 24);
      addon.batchNorm(24, 1e-3, activation(4099, 24, 11), floats(24, 12), floats(24, 13, 0.1, 2), floats(24, 14), floats(24, 15), y);
      return [y];
    },
  },
  {
    name: 'copyBox (pad) [3,17,19,5] into [3,19,21,5]',
    reference: '75a724a36c353257',
    run: (addon) => {
      const y = new Float32Array(3 * 19 * 21 * 5);
      addon.copyBox([3, 17, 19, 5], [3, 19, 21, 5], [0, 0, 0, 0], [0, 1, 1, 0], [3, 17, 19, 5], floats(3 * 17 * 19 * 5, 16), y);
      return [y];
    },
  },
  {
    name: 'maxPool and maxPoolGrad 2x2/2 on [4,18,18,8]',
    reference: '9001f4b28870cf32',
    run: (addon) => {
      const geom = [4, 18, 18, 8, 9, 9, 2, 2, 2, 2, 0, 0];
      const x = floats(4 * 18 * 18 * 8, 17);
      const y = new Float32Array(4 * 9 * 9 * 8);
      addon.maxPool(geom, x, y);
      const dx = new Float32Array(x.length);
      addon.maxPoolGrad(geom, x, floats(y.length, 18), dx);
      return [y, dx];
    },
  },
];

const THREADS = [1, 2, 4];

describe.skipIf(!nativeAvailable)('memory-bound kernels give the same bytes at any thread count', () => {
  const load = loadNativeAddon();
  const addon = (load.ok ? load.addon : undefined) as NativeAddon;
  afterAll(() => {
    // What registerNativeCpuKernels({ threads: 2 }) leaves, for the test files after this one.
    addon.setThreads(2);
    addon.setParallelMinElements(DEFAULT_PARALLEL_MIN_ELEMENTS);
  });

  it.each(CASES)('$name', (c) => {
    const seen: string[] = [];
    for (const threshold of [0, DEFAULT_PARALLEL_MIN_ELEMENTS, Number.MAX_SAFE_INTEGER]) {
      addon.setParallelMinElements(threshold);
      for (const threads of THREADS) {
        addon.setThreads(threads);
        seen.push(`${threads} threads, threshold ${threshold}: ${digest(c.run(addon))}`);
      }
    }
    expect(seen).toEqual(seen.map((s) => s.replace(/[0-9a-f]{16}$/, c.reference)));
  });
});
