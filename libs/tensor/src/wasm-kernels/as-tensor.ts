import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel inputs are `TensorInfo`s. The engine usually passes real Tensors, but the kernel
 * contract does not promise it, so wrap bare infos in a tracked Tensor. Call inside `tf.tidy`
 * so the wrapper (not the caller's data) is released afterwards.
 */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}
