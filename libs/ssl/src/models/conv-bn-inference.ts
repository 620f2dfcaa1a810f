/**
 * Inference (training=false) conv2d + batch norm [+ residual add] [+ ReLU] as one op.
 *
 * Why: forward-only feature extraction spends more time in the separate batch-norm, add and
 * relu passes over each activation than these
 * layers need. Where a backend registers `FedssdConvBatchNorm` (`@fedssd/native` on 'cpu')
 * this calls it, which does all of it inside the convolution (padding included). Elsewhere it
 * runs exactly the ops the layers run on their own (conv2d, batchNorm, add, relu).
 * Inference only: the kernel has no gradient, training keeps its own path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormLayer, ConvLayer } from './layers.js';

/**
 * Optional kernel: inputs `{ x, filter, mean, variance, offset, scale, residual? }` (float32,
 * NHWC, HWIO filter, per-channel vectors), attrs as Conv2D's plus `varianceEpsilon` and
 * `relu`; output relu?(batchNorm(conv2d(x, filter)) + residual?).
 */
export const CONV_BN_KERNEL = 'FedssdConvBatchNorm';

/**
 * `bn(conv(x))` in inference mode (ReLU'd when the batch norm has one), or with `residual`
 * the residual join `relu(bn(conv(x)) + residual)` (then the batch norm must have no ReLU).
 */
export function convBnInference(conv: ConvLayer, bn: BatchNormLayer<tf.Tensor4D>, x: tf.Tensor4D, residual?: tf.Tensor4D): tf.Tensor4D {
  if (residual && bn.relu) throw new RangeError('convBnInference: a residual join needs a batch norm without ReLU');
  if (!tf.getKernel(CONV_BN_KERNEL, tf.getBackend())) {
    const y = bn(conv(x, false), false);
    return residual ? (tf.relu(tf.add(y, residual)) as tf.Tensor4D) : y;
  }
  const p = conv.padding;
  const pad =
    p === 0
      ? 'valid'
      : conv.stride === 1
        ? 'same'
        : [
            [0, 0],
            [p, p],
            [p, p],
            [0, 0],
          ];
  const inputs: Record<string, tf.Tensor> = {
    x,
    filter: conv.filter,
    mean: bn.runningMean,
    variance: bn.runningVar,
    offset: bn.beta,
    scale: bn.gamma,
  };
  if (residual) inputs['residual'] = residual;
  const attrs = {
    strides: conv.stride,
    pad,
    dataFormat: 'NHWC',
    dilations: 1,
    dimRoundingMode: undefined,
    varianceEpsilon: bn.epsilon,
    relu: bn.relu || residual !== undefined,
  };
  return tf.engine().runKernel<tf.Tensor4D>(CONV_BN_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap);
}
