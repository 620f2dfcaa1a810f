/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships none (tfjs 4.22). The cpu
 * backend's JS loop is far too slow to train on, so this builds the filter gradient from
 * ops that wasm runs natively:
 *
 *   dW[kh, kw, ci, co] = sum over n, oh, ow of xPad[n, oh*sh + kh, ow*sw + kw, ci] * dy[n, oh, ow, co]
 *
 * i.e. im2col: one (strided) slice of the padded input per filter tap, stacked as the
 * transposed column matrix cols^T [KH*KW*Ci, M] (M = N*outH*outW), then a single plain
 * `cols^T . dy` matMul, which XNNPACK runs fast.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { asTensor } from './as-tensor.js';

function checkAttrs(attrs: Conv2DBackpropFilterAttrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm): dataFormat must be 'NHWC', got '${attrs.dataFormat}'`);
  }
  const dilations = (attrs as unknown as { dilations?: number | number[] }).dilations;
  if (dilations !== undefined && [dilations].flat().some((d) => d !== 1)) {
    throw new Error(`Conv2DBackpropFilter (wasm): dilations must be 1, got ${JSON.stringify(dilations)}`);
  }
}

/** Filter gradient of an NHWC conv2d (dilation 1; 'same', 'valid', numeric or explicit padding). */
export function conv2dBackpropFilterFromOps(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Conv2DBackpropFilterAttrs): tf.Tensor4D {
  checkAttrs(attrs);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== co) {
    throw new Error(`Conv2DBackpropFilter (wasm): dy shape [${dy.shape.join(',')}] does not match conv output [${n},${oh},${ow},${co}]`);
  }
  return tf.tidy(() => {
    const m = n * oh * ow;
    const dy2 = tf.reshape(dy, [m, co]);
    // 1x1, stride 1, unpadded: the input already is the column matrix (one transpose, no copies).
    if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && padInfo.top === 0 && padInfo.left === 0) {
      const cols = tf.transpose(tf.reshape(tf.slice(x, [0, 0, 0, 0], [n, oh, ow, ci]), [m, ci]));
      return tf.reshape(tf.matMul(cols, dy2), [1, 1, ci, co]);
    }
    // Channels first ([Ci, N, H, W]) so each tap's slice is a block of rows of cols^T and the
    // taps join with a contiguous concat on axis 0. wasm's matMul with transposeA is ~5-10x
    // slower than a plain one, so cols^T [K, M] is built directly instead of cols [M, K].
    // Bottom/right padding is whatever the last window needs: valid convs that skip the last
    // rows need none (slices stop early), and tfjs's numeric padding with unequal strides sizes
    // both output dims with the height stride, so windows may run past padInfo.right.
    const bottom = Math.max(0, (oh - 1) * sh + kh - x.shape[1] - padInfo.top);
    const right = Math.max(0, (ow - 1) * sw + kw - x.shape[2] - padInfo.left);
    const padded = tf.pad(x, [
      [0, 0],
      [padInfo.top, bottom],
      [padInfo.left, right],
      [0, 0],
    ]);
    const chw = tf.transpose(padded, [3, 0, 1, 2]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i += 1) {
      for (let j = 0; j < kw; j += 1) {
        taps.push(
          sh === 1 && sw === 1
            ? tf.slice(chw, [0, 0, i, j], [ci, n, oh, ow])
            : tf.stridedSlice(chw, [0, 0, i, j], [ci, n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1], [1, 1, sh, sw]),
        );
      }
    }
    const colsT = tf.reshape(taps.length === 1 ? (taps[0] as tf.Tensor) : tf.concat(taps, 0), [kh * kw * ci, m]);
    // Rows of colsT are ordered (kh, kw, ci): the product is already the [KH, KW, Ci, Co] filter layout.
    return tf.reshape(tf.matMul(colsT, dy2), [kh, kw, ci, co]);
  });
}

const kernelFunc = ({ inputs, attrs }: { inputs: Record<string, TensorInfo>; attrs?: NamedAttrMap }): TensorInfo => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  return tf.tidy(() =>
    conv2dBackpropFilterFromOps(asTensor<tf.Rank.R4>(x), asTensor<tf.Rank.R4>(dy), attrs as unknown as Conv2DBackpropFilterAttrs),
  );
};

/** Kernel config to pass to `tf.registerKernel` (backendName 'wasm'). */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
};
