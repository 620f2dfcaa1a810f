/**
 * `Tile` for the wasm backend when it only broadcasts (every tiled axis has size 1), as in
 * TF.js's batch-norm gradient, which tiles a [1, 1, 1, C] tensor to the activation's shape.
 * The package's generic Tile costs ~0.36 s per training step there; `x + zeros(outShape)`
 * runs as one broadcasting add. Any other tiling goes to the package's kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import { asTensor } from './as-tensor.js';
import { stockKernel } from './stock-kernels.js';

/** True when tiling `shape` by `reps` is a pure broadcast of size-1 axes. */
export function tileIsBroadcast(shape: readonly number[], reps: readonly number[]): boolean {
  return reps.length === shape.length && shape.every((d, i) => (reps[i] as number) === 1 || d === 1);
}

const kernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs?: NamedAttrMap; backend: unknown }): TensorInfo => {
  const { x } = args.inputs as { x: TensorInfo };
  const reps = (args.attrs as unknown as TileAttrs).reps;
  const stock = stockKernel(tf.Tile);
  if ((!tileIsBroadcast(x.shape, reps) || x.dtype !== 'float32') && stock) return stock(args as never) as TensorInfo;
  const outShape = x.shape.map((d, i) => d * (reps[i] as number));
  // x + 0 equals x for every float except -0 (which becomes +0): harmless for gradients.
  return tf.tidy(() => tf.add(asTensor(x), tf.zeros(outShape)));
};

/** Kernel config to pass to `tf.registerKernel` (backendName 'wasm'). */
export const tileBroadcastConfig: KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
