/**
 * `Conv2DBackpropInput` for the wasm backend as one forward convolution, which XNNPACK runs
 * several times faster than the package's own backprop-input kernel:
 *
 *   dx = conv2d(pad(dilate(dy, stride)), flip(W) with in/out channels swapped, stride 1, 'valid')
 *
 * dilate inserts stride-1 zeros between dy's pixels; the padding (kernel - 1 - padBefore before,
 * whatever makes the output as large as x after) lines each dx pixel up with every dy pixel it
 * fed. Unsupported attributes (NCHW, dilations) go to the package's kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { asTensor } from './as-tensor.js';
import { stockKernel } from './stock-kernels.js';

/** Zero-inserts along H and W: [N, H, W, C] -> [N, (H-1)s+1, (W-1)s+1, C]. */
function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.slice(tf.reshape(spread, [n, h * sh, w * sw, c]), [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]) as tf.Tensor4D;
}

/** Pads (positive) or crops (negative) H and W by the given amounts. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const padded = tf.pad(x, [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ]);
  const [n, h, w, c] = padded.shape;
  const t = Math.max(0, -top);
  const l = Math.max(0, -left);
  return tf.slice(padded, [0, t, l, 0], [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c]);
}

/** Input gradient of an NHWC conv2d (dilation 1) computed as a stride-1 forward convolution. */
export function conv2dBackpropInputFromOps(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DBackpropInputAttrs): tf.Tensor4D {
  const xShape = attrs.inputShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  return tf.tidy(() => {
    const spread = dilate(dy, sh, sw);
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = xShape[1] + kh - 1 - top - spread.shape[1];
    const right = xShape[2] + kw - 1 - left - spread.shape[2];
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(padOrCrop(spread, top, bottom, left, right), flipped, 1, 'valid');
  });
}

function supported(attrs: Conv2DBackpropInputAttrs): boolean {
  const dilations = (attrs as unknown as { dilations?: number | number[] }).dilations;
  return (
    (attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC') && (dilations === undefined || [dilations].flat().every((d) => d === 1))
  );
}

const kernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs?: NamedAttrMap; backend: unknown }): TensorInfo => {
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const stock = stockKernel(tf.Conv2DBackpropInput);
  if (!supported(attrs) && stock) return stock(args as never) as TensorInfo;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  return tf.tidy(() => conv2dBackpropInputFromOps(asTensor<tf.Rank.R4>(dy), asTensor<tf.Rank.R4>(filter), attrs));
};

/** Kernel config to pass to `tf.registerKernel` (backendName 'wasm'). */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
