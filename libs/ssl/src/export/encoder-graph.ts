/**
 * The encoders of `models/` written out as Keras graphs, layer for layer: same convs, padding,
 * BatchNorms, ReLUs, pools and residual adds, so the exported model computes `encode(x)`.
 * Keras layer names are our stable names without the `encoder.` prefix, dots as underscores
 * (`encoder.stage2.block0.shortcut.bn` -> `stage2_block0_shortcut_bn`).
 */
import type { ModelSpec } from '../models/index.js';
import { resnetWidths } from '../models/resnet18.js';
import type { KerasGraph } from './keras-graph.js';

/** Keras layer name for one of our stable encoder names. */
export function kerasLayerName(stable: string): string {
  return stable.replace(/^encoder\./, '').replaceAll('.', '_');
}

/** conv -> BN, named after our `<prefix>.conv` / `<prefix>.bn` style pair. */
function convBn(g: KerasGraph, from: string, conv: string, bn: string, size: number, cin: number, cout: number, stride: 1 | 2): string {
  const c = g.conv(from, kerasLayerName(conv), conv, size, cin, cout, stride);
  return g.batchNorm(c, kerasLayerName(bn), bn, cout);
}

/** Small CNN: three conv3x3-BN-ReLU blocks (32/64/128), 2x2 max-pool after the first two, GAP. */
function smallEncoder(g: KerasGraph, input: string, channels: number, finalRelu: boolean): string {
  let y = input;
  let cin = channels;
  [32, 64, 128].forEach((cout, i, widths) => {
    const name = `encoder.block${i + 1}`;
    const bn = convBn(g, y, `${name}.conv`, `${name}.bn`, 3, cin, cout, 1);
    y = finalRelu || i < widths.length - 1 ? g.relu(bn, `${kerasLayerName(name)}_relu`) : bn;
    if (i < widths.length - 1) y = g.maxPool(y, `${kerasLayerName(name)}_pool`);
    cin = cout;
  });
  return g.globalAvgPool(y, 'pool');
}

/** BasicBlock: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut), 1x1 conv+BN shortcut on shape change. */
function basicBlock(g: KerasGraph, x: string, name: string, cin: number, cout: number, stride: 1 | 2): string {
  const layer = kerasLayerName(name);
  const a = g.relu(convBn(g, x, `${name}.conv1`, `${name}.bn1`, 3, cin, cout, stride), `${layer}_relu1`);
  const b = convBn(g, a, `${name}.conv2`, `${name}.bn2`, 3, cout, cout, 1);
  const projects = stride !== 1 || cin !== cout;
  const shortcut = projects ? convBn(g, x, `${name}.shortcut.conv`, `${name}.shortcut.bn`, 1, cin, cout, stride) : x;
  return g.relu(g.add(b, shortcut, `${layer}_add`), `${layer}_relu2`);
}

/** CIFAR ResNet-18: 3x3 stem (stride 1, no max-pool), 4 stages x 2 BasicBlocks, GAP. */
function resnet18Encoder(g: KerasGraph, input: string, channels: number, width: number): string {
  const widths = resnetWidths(width);
  let y = g.relu(convBn(g, input, 'encoder.stem.conv', 'encoder.stem.bn', 3, channels, widths[0], 1), 'stem_relu');
  let cin = widths[0];
  widths.forEach((cout, s) => {
    y = basicBlock(g, y, `encoder.stage${s + 1}.block0`, cin, cout, s === 0 ? 1 : 2);
    y = basicBlock(g, y, `encoder.stage${s + 1}.block1`, cout, cout, 1);
    cin = cout;
  });
  return g.globalAvgPool(y, 'pool');
}

/**
 * Adds the encoder for a resolved spec to `g`.
 * @returns the names of the input and output layers.
 */
export function buildEncoderGraph(g: KerasGraph, spec: ModelSpec): { input: string; output: string } {
  const input = g.input('input', spec.inputShape);
  const channels = spec.inputShape[2];
  const output =
    spec.kind === 'resnet18'
      ? resnet18Encoder(g, input, channels, spec.width ?? 1)
      : smallEncoder(g, input, channels, spec.kind === 'small');
  return { input, output };
}
