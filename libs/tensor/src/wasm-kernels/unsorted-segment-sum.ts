/**
 * `UnsortedSegmentSum` for the wasm backend, which ships none (tfjs 4.22); it is the
 * gradient of `gather`. Built as a one-hot matMul so it runs in XNNPACK:
 *
 *   out[s, ...] = sum over i with ids[i] == s of x[i, ...]  =  oneHot(ids)^T . x
 *
 * Ids outside [0, numSegments) contribute nothing (TensorFlow drops negative ids too).
 * Memory is numSegments x len(ids) floats for the one-hot matrix, fine for batch-sized gathers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { sizeOf } from '../weights.js';
import { asTensor } from './as-tensor.js';

/** Sums the rows of `x` that share a segment id; `ids` covers a prefix of `x`'s shape. */
export function unsortedSegmentSumFromOps(x: tf.Tensor, ids: tf.Tensor, numSegments: number): tf.Tensor {
  if (!Number.isInteger(numSegments) || numSegments < 1) {
    throw new RangeError(`UnsortedSegmentSum (wasm): numSegments must be an integer >= 1, got ${numSegments}`);
  }
  if (ids.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds shape [${ids.shape.join(',')}] must be a prefix of x shape [${x.shape.join(',')}]`,
    );
  }
  return tf.tidy(() => {
    const rows = ids.size;
    const rest = x.shape.slice(ids.rank);
    const x2 = tf.reshape(tf.cast(x, 'float32'), [rows, sizeOf(rest)]);
    // oneHot on wasm (4.22) returns all zeros when asked for float32 output: build int32, then cast.
    const hot = tf.cast(tf.oneHot(tf.reshape(tf.cast(ids, 'int32'), [rows]), numSegments), 'float32');
    const out = tf.reshape(tf.matMul(hot, x2, true, false), [numSegments, ...rest]);
    return x.dtype === 'float32' ? out : tf.cast(tf.round(out), x.dtype);
  });
}

const kernelFunc = ({ inputs, attrs }: { inputs: Record<string, TensorInfo>; attrs?: NamedAttrMap }): TensorInfo => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  return tf.tidy(() => unsortedSegmentSumFromOps(asTensor(x), asTensor(segmentIds), numSegments));
};

/** Kernel config to pass to `tf.registerKernel` (backendName 'wasm'). */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
