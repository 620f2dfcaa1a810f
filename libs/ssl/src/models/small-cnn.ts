/**
 * The CPU preset encoder: three conv3x3-BN-ReLU blocks (32/64/128 channels), max-pool after
 * the first two, global average pool -> h in R^128. Works for any input size >= 4x4.
 * finalRelu = false drops the last block's ReLU ('small-signed'): h = avgpool(BN(conv)) is signed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convBnInference } from './conv-bn-inference.js';
import { maxPool2Eager } from './eager-ops.js';
import { batchNorm, conv2d, globalAvgPool, type BatchNormLayer, type ConvLayer } from './layers.js';
import type { ParamStore } from './param-store.js';

export function buildSmallEncoder(
  store: ParamStore,
  seed: number,
  channels: number,
  finalRelu = true,
): (x: tf.Tensor4D, training: boolean) => tf.Tensor2D {
  const widths = [32, 64, 128];
  const blocks: Array<{ conv: ConvLayer; bn: BatchNormLayer<tf.Tensor4D> }> = [];
  let cin = channels;
  widths.forEach((cout, i) => {
    const name = `encoder.block${i + 1}`;
    blocks.push({
      conv: conv2d(store, seed, `${name}.conv`, 3, cin, cout, 1, i > 0),
      bn: batchNorm<tf.Tensor4D>(store, `${name}.bn`, cout, finalRelu || i < widths.length - 1),
    });
    cin = cout;
  });
  return (x, training) => {
    let y = x;
    blocks.forEach((b, i) => {
      y = training ? b.bn(b.conv(y, training), training) : convBnInference(b.conv, b.bn, y);
      if (i < blocks.length - 1) y = training ? maxPool2Eager(y) : tf.maxPool(y, 2, 2, 'valid');
    });
    return globalAvgPool(y);
  };
}
