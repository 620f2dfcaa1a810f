/**
 * CIFAR-style ResNet-18 encoder: 3x3 stem conv (stride 1, no max-pool), four stages of two
 * BasicBlocks with strides 1/2/2/2, 1x1 conv + BN shortcut when the shape changes, global
 * average pool. Channel counts are 64/128/256/512 times `width`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { convBnInference } from './conv-bn-inference.js';
import { addReluEager } from './eager-ops.js';
import { batchNorm, conv2d, globalAvgPool, type Forward } from './layers.js';
import type { ParamStore } from './param-store.js';

type Encoder = (x: tf.Tensor4D, training: boolean) => tf.Tensor2D;

function basicBlock(store: ParamStore, seed: number, name: string, cin: number, cout: number, stride: 1 | 2): Forward<tf.Tensor4D> {
  const conv1 = conv2d(store, seed, `${name}.conv1`, 3, cin, cout, stride);
  const bn1Relu = batchNorm<tf.Tensor4D>(store, `${name}.bn1`, cout, true);
  const conv2 = conv2d(store, seed, `${name}.conv2`, 3, cout, cout, 1);
  const bn2 = batchNorm<tf.Tensor4D>(store, `${name}.bn2`, cout);
  const needsProjection = stride !== 1 || cin !== cout;
  const scConv = needsProjection ? conv2d(store, seed, `${name}.shortcut.conv`, 1, cin, cout, stride) : undefined;
  const scBn = needsProjection ? batchNorm<tf.Tensor4D>(store, `${name}.shortcut.bn`, cout) : undefined;
  return (x, training) => {
    if (!training) {
      const shortcut = scConv && scBn ? convBnInference(scConv, scBn, x) : x;
      return convBnInference(conv2, bn2, convBnInference(conv1, bn1Relu, x), shortcut);
    }
    const out = bn2(conv2(bn1Relu(conv1(x, training), training), training), training);
    const shortcut = scConv && scBn ? scBn(scConv(x, training), training) : x;
    return addReluEager(out, shortcut);
  };
}

/** Channel count for a stage, never below 1. */
export function resnetWidths(width: number): [number, number, number, number] {
  return [64, 128, 256, 512].map((c) => Math.max(1, Math.round(c * width))) as [number, number, number, number];
}

export function buildResnet18Encoder(store: ParamStore, seed: number, channels: number, width: number): Encoder {
  const widths = resnetWidths(width);
  const stemConv = conv2d(store, seed, 'encoder.stem.conv', 3, channels, widths[0], 1, false);
  const stemBnRelu = batchNorm<tf.Tensor4D>(store, 'encoder.stem.bn', widths[0], true);
  const blocks: Array<Forward<tf.Tensor4D>> = [];
  let cin = widths[0];
  widths.forEach((cout, s) => {
    const stride: 1 | 2 = s === 0 ? 1 : 2;
    blocks.push(basicBlock(store, seed, `encoder.stage${s + 1}.block0`, cin, cout, stride));
    blocks.push(basicBlock(store, seed, `encoder.stage${s + 1}.block1`, cout, cout, 1));
    cin = cout;
  });
  return (x, training) => {
    let y = training ? stemBnRelu(stemConv(x, training), training) : convBnInference(stemConv, stemBnRelu, x);
    for (const block of blocks) y = block(y, training);
    return globalAvgPool(y);
  };
}
