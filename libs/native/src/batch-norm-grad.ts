/**
 * A one-pass gradient for FusedBatchNorm on the native cpu path. TF.js's own gradient builds
 * dx, dmean, dvariance and dscale from ~10 activation-sized ops (including a Tile), which were
 * the largest remaining cost of a training step. Gradients are global in TF.js, so this wraps
 * the registered one: any call not on the cpu backend with native kernels active, or with
 * statistics that are not per-channel vectors, goes to the original gradient unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { count } from './kernel-context.js';

/** Name under which `kernelStats` counts these gradient calls. */
export const GRAD_STAT = 'FusedBatchNorm(gradient)';

let original: GradConfig | undefined;
let active: NativeAddon | undefined;

const values = (t: Tensor | undefined): Float32Array | undefined => {
  if (t === undefined || t.dtype !== 'float32') return undefined;
  const v = t.dataSync();
  return v instanceof Float32Array ? v : undefined;
};

function nativeGradient(addon: NativeAddon, dy: Tensor, saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> | undefined {
  const [x, mean, variance, scale] = saved;
  if (tf.getBackend() !== 'cpu' || !x || !mean || !variance || x.rank < 2 || mean.rank !== 1) return undefined;
  const c = x.shape[x.rank - 1] as number;
  if (mean.size !== c || variance.size !== c || (scale !== undefined && (scale.rank !== 1 || scale.size !== c))) return undefined;
  const xv = values(x);
  const dyv = values(dy);
  const mv = values(mean);
  const vv = values(variance);
  const sv = scale === undefined ? null : values(scale);
  if (!xv || !dyv || !mv || !vv || sv === undefined) return undefined;
  // Computed on first use; each gradient wraps its own array, so none leaks if left unused.
  let out: { dx: Float32Array; dmean: Float32Array; dvar: Float32Array; dscale: Float32Array } | undefined;
  const get = (): NonNullable<typeof out> => {
    if (!out) {
      out = { dx: new Float32Array(xv.length), dmean: new Float32Array(c), dvar: new Float32Array(c), dscale: new Float32Array(c) };
      addon.batchNormGrad(c, Number(attrs['varianceEpsilon'] ?? 0.001), xv, dyv, mv, vv, sv, out.dx, out.dmean, out.dvar, out.dscale);
    }
    return out;
  };
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  return {
    x: () => tf.tensor(get().dx, x.shape),
    mean: () => tf.tensor(get().dmean, mean.shape),
    variance: () => tf.tensor(get().dvar, variance.shape),
    scale: () => tf.tensor(get().dscale, [c]),
    offset: () => tf.reshape(tf.sum(dy, axes), [c]),
  };
}

/** Wraps TF.js's FusedBatchNorm gradient once; later calls only switch which addon is active. */
export function enableNativeBatchNormGradient(addon: NativeAddon): void {
  active = addon;
  if (original) return;
  const current = tf.getGradient(tf.FusedBatchNorm);
  if (!current) return;
  original = current;
  const fallback = current;
  tf.registerGradient({
    kernelName: tf.FusedBatchNorm,
    inputsToSave: fallback.inputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const fast = active ? nativeGradient(active, dy as Tensor, saved, attrs) : undefined;
      if (active) count(GRAD_STAT, fast !== undefined);
      return fast ?? fallback.gradFunc(dy, saved, attrs);
    },
  });
}

/** Sends every later FusedBatchNorm gradient to TF.js's own again. */
export function disableNativeBatchNormGradient(): void {
  active = undefined;
}
