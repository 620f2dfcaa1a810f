/**
 * Loads the compiled oneDNN addon (`build/Release/fedssd_native.node`) if it was built with
 * `npm run build:native`. Absence is normal (no compiler or no libdnnl-dev): callers get a
 * one-line reason instead of an exception.
 */
import { builtAddonPath, createAddonLoader, type Load } from './load-addon.js';

/** The raw addon surface. Every kernel writes into the caller-allocated last argument. */
export interface NativeAddon {
  /** geom = [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight]. */
  conv2d(geom: number[], x: Float32Array, filter: Float32Array, y: Float32Array): void;
  /** Inference conv + batch norm (+ residual) (+ ReLU), one primitive; residual null when absent. */
  conv2dBn(
    geom: number[],
    eps: number,
    relu: boolean,
    x: Float32Array,
    filter: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array,
    scale: Float32Array,
    residual: Float32Array | null,
    y: Float32Array,
  ): void;
  conv2dBackpropInput(geom: number[], dy: Float32Array, filter: Float32Array, dx: Float32Array): void;
  conv2dBackpropFilter(geom: number[], x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  /** geom = [n, ih, iw, c, oh, ow, kh, kw, sh, sw, padTop, padLeft]. */
  maxPool(geom: number[], x: Float32Array, y: Float32Array): void;
  maxPoolGrad(geom: number[], x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** params = [batch, m, n, k, transA, transB, strideA, strideB] (strides in elements; 0 broadcasts). */
  matMul(params: number[], a: Float32Array, b: Float32Array, c: Float32Array): void;
  batchNorm(
    channels: number,
    eps: number,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    y: Float32Array,
  ): void;
  /** Broadcasting binary op; strides per output dim in elements (0 = broadcast). */
  binary(kind: number, outShape: number[], stridesA: number[], stridesB: number[], a: Float32Array, b: Float32Array, y: Float32Array): void;
  unary(kind: number, alpha: number, x: Float32Array, y: Float32Array): void;
  /** y[o, i] = sum_r x[o, r, i] / divisor (divided before summing, like TF.js's Mean). */
  reduceSum(dims: [number, number, number], divisor: number, x: Float32Array, y: Float32Array): void;
  tile(inShape: number[], outShape: number[], x: Float32Array, y: Float32Array): void;
  /** Copies the box `box` from x at inStart to y at outStart (row-major shapes, same rank). */
  copyBox(
    inShape: number[],
    outShape: number[],
    inStart: number[],
    outStart: number[],
    box: number[],
    x: Float32Array,
    y: Float32Array,
  ): void;
  fill(value: number, y: Float32Array): void;
  /** Memory-bound kernels spread over the task pool only above this many elements (default 65536). */
  setParallelMinElements(elements: number): void;
  /** mallopt(M_MMAP_THRESHOLD, M_TRIM_THRESHOLD) for the whole process; true when both took. */
  tuneAllocator(mmapThresholdBytes: number, trimThresholdBytes: number): boolean;
  /** Gradient of FusedBatchNorm w.r.t. x, mean, variance and scale (per-channel statistics). */
  batchNormGrad(
    channels: number,
    eps: number,
    x: Float32Array,
    dy: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    dx: Float32Array,
    dmean: Float32Array,
    dvariance: Float32Array,
    dscale: Float32Array,
  ): void;
  /** Training batch norm over the last axis: batch mean, biased variance, y (ReLU'd if relu). */
  batchNormTrain(
    channels: number,
    eps: number,
    relu: boolean,
    x: Float32Array,
    scale: Float32Array,
    offset: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  /** Full gradient of batchNormTrain w.r.t. x, scale, offset; pass the forward's y for the ReLU mask, else null. */
  batchNormTrainGrad(
    channels: number,
    eps: number,
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array,
    y: Float32Array | null,
    dx: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  /** OpenMP threads for every later kernel (fixed count = reproducible reductions). */
  setThreads(threads: number): void;
  /** poolTasks*: tasks of spread memory-bound kernels run on the calling thread / on helpers since load. */
  info(): { onednn: string; threads: number; poolTasksCaller: number; poolTasksHelpers: number };
}

/** Result of trying to load the addon: the module, or why it is unavailable. */
export type AddonLoad = Load<NativeAddon>;

/** Absolute path where node-gyp leaves the addon. */
export const addonPath = builtAddonPath('fedssd_native.node');

/** Loads the addon once per process; never throws. */
export const loadNativeAddon: () => AddonLoad = createAddonLoader<NativeAddon>(addonPath, 'addon');
