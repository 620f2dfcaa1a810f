/**
 * Shorter gradients for Relu and Mean on the native cpu path. TF.js builds relu's as
 * dy * cast(step(x)) and mean's as (dy * ones(x.shape)) / n: three activation-sized ops each
 * where one does. Same values (dy * 1 and dy * 0 are exact). Wrapped like the batch-norm
 * gradient: off the native cpu path the original gradient runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { count } from './kernel-context.js';

type Fast = (addon: NativeAddon, dy: Tensor, saved: Tensor[], attrs: NamedAttrMap) => Record<string, () => Tensor> | undefined;

const RELU_GRAD = 6;
let active: NativeAddon | undefined;
const wrapped = new Set<string>();

function floats(t: Tensor | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== 'float32') return undefined;
  const v = t.dataSync();
  return v instanceof Float32Array ? v : undefined;
}

const reluFast: Fast = (addon, dy, saved) => {
  const x = saved[0];
  const xv = floats(x);
  const dyv = floats(dy);
  if (!x || !xv || !dyv || xv.length !== dyv.length || xv.length === 0) return undefined;
  return {
    x: () => {
      const out = new Float32Array(xv.length);
      addon.binary(RELU_GRAD, [xv.length], [1], [1], dyv, xv, out);
      return tf.tensor(out, x.shape);
    },
  };
};

const meanFast: Fast = (_addon, dy, saved, attrs) => {
  const x = saved[0];
  if (!x || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const axes = util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = axes.reduce((p, a) => p * (x.shape[a] as number), 1);
  // (dy / n) then one tile: TF.js's (dy * 1) / n gives the same floats.
  return {
    x: () =>
      tf.tile(
        tf.div(tf.reshape(dy, expanded), n),
        x.shape.map((d, i) => (axes.includes(i) ? d : 1)),
      ),
  };
};

function wrap(kernelName: string, fast: Fast): void {
  if (wrapped.has(kernelName)) return;
  const original: GradConfig | undefined = tf.getGradient(kernelName);
  if (!original) return;
  wrapped.add(kernelName);
  tf.registerGradient({
    kernelName,
    inputsToSave: original.inputsToSave,
    outputsToSave: original.outputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const grads = active && tf.getBackend() === 'cpu' ? fast(active, dy as Tensor, saved, attrs) : undefined;
      if (active) count(`${kernelName}(gradient)`, grads !== undefined);
      return grads ?? original.gradFunc(dy, saved, attrs);
    },
  });
}

/** Wraps the Relu and Mean gradients once; later calls only switch the active addon. */
export function enableCheapGradients(addon: NativeAddon): void {
  active = addon;
  wrap(tf.Relu, reluFast);
  wrap(tf.Mean, meanFast);
}

/** Sends later Relu and Mean gradients to TF.js's own again. */
export function disableCheapGradients(): void {
  active = undefined;
}
