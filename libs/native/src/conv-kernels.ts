/**
 * Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter for the cpu backend through oneDNN.
 * Geometry comes from TF.js's own `computeConv2DInfo`, so 'same', 'valid', numeric and
 * explicit paddings mean exactly what they mean to the reference kernel.
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { f32, type KernelArgs, type NativeBody } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

type Shape4 = [number, number, number, number];

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * oneDNN's geometry vector, or undefined when oneDNN cannot express TF's: oneDNN needs the
 * bottom/right padding that makes its output size formula hit TF's output size exactly.
 */
export function convGeometry(xShape: Shape4, filterShape: Shape4, attrs: ConvAttrs): number[] | undefined {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return undefined;
  const info = backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: ih, inWidth: iw, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top: pt, left: pl } = info.padInfo;
  const pb = fitPad(ih, oh, pt, info.effectiveFilterHeight, sh);
  const pr = fitPad(iw, ow, pl, info.effectiveFilterWidth, sw);
  if (pb === undefined || pr === undefined || pt < 0 || pl < 0 || oh < 1 || ow < 1) return undefined;
  return [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr];
}

function fitPad(inSize: number, outSize: number, before: number, effective: number, stride: number): number | undefined {
  const needed = (outSize - 1) * stride + effective - inSize - before;
  if (needed >= 0) return needed;
  // A valid conv that skips trailing rows: zero padding still yields outSize under floor division.
  return Math.floor((inSize + before - effective) / stride) + 1 === outSize ? 0 : undefined;
}

const shape4 = (info: TensorInfo): Shape4 | undefined => (info.shape.length === 4 ? (info.shape as Shape4) : undefined);

/** Conv2D: inputs { x, filter }. */
export function conv2dBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, filter } = inputs;
    const xv = f32(backend, x);
    const wv = f32(backend, filter);
    if (!x || !filter || !xv || !wv) return undefined;
    const xs = shape4(x);
    const ws = shape4(filter);
    if (!xs || !ws) return undefined;
    const geom = convGeometry(xs, ws, attrs as unknown as ConvAttrs);
    if (!geom) return undefined;
    const [n, , , , oh, ow, co] = geom as [number, number, number, number, number, number, number];
    const y = outputBuffer(backend, n * oh * ow * co);
    addon.conv2d(geom, xv, wv, y);
    return backend.makeTensorInfo([n, oh, ow, co], 'float32', y);
  };
}

/** Conv2DBackpropInput: inputs { dy, filter }, attrs.inputShape. */
export function conv2dBackpropInputBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, filter } = inputs;
    const dyv = f32(backend, dy);
    const wv = f32(backend, filter);
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    if (!dy || !filter || !dyv || !wv || a.inputShape.length !== 4) return undefined;
    const ws = shape4(filter);
    if (!ws) return undefined;
    const geom = convGeometry(a.inputShape as Shape4, ws, { ...a, dilations: 1 });
    if (!geom || dy.shape.join() !== [geom[0], geom[4], geom[5], geom[6]].join()) return undefined;
    const dx = outputBuffer(backend, util.sizeFromShape(a.inputShape));
    addon.conv2dBackpropInput(geom, dyv, wv, dx);
    return backend.makeTensorInfo([...a.inputShape], 'float32', dx);
  };
}

/** Conv2DBackpropFilter: inputs { x, dy }, attrs.filterShape. */
export function conv2dBackpropFilterBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, dy } = inputs;
    const xv = f32(backend, x);
    const dyv = f32(backend, dy);
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    if (!x || !dy || !xv || !dyv || a.filterShape.length !== 4) return undefined;
    const xs = shape4(x);
    if (!xs) return undefined;
    const geom = convGeometry(xs, a.filterShape as Shape4, { ...a, dilations: 1 });
    if (!geom || dy.shape.join() !== [geom[0], geom[4], geom[5], geom[6]].join()) return undefined;
    const dw = outputBuffer(backend, util.sizeFromShape(a.filterShape));
    addon.conv2dBackpropFilter(geom, xv, dyv, dw);
    return backend.makeTensorInfo([...a.filterShape], 'float32', dw);
  };
}
