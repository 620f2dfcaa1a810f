/** MaxPool and MaxPoolGrad for the cpu backend (NHWC, dilation 1) through the addon. */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { f32, type KernelArgs, type NativeBody } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolGeometry(xShape: number[], attrs: PoolAttrs): number[] | undefined {
  if (xShape.length !== 4) return undefined;
  const info = backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: ih, inWidth: iw, inChannels: c, outHeight: oh, outWidth: ow } = info;
  if (oh < 1 || ow < 1 || info.padInfo.top < 0 || info.padInfo.left < 0) return undefined;
  return [
    n,
    ih,
    iw,
    c,
    oh,
    ow,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** MaxPool: inputs { x }. */
export function maxPoolBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs;
    const xv = f32(backend, x);
    if (!x || !xv) return undefined;
    const geom = poolGeometry(x.shape, attrs as unknown as PoolAttrs);
    if (!geom) return undefined;
    const [n, , , c, oh, ow] = geom as [number, number, number, number, number, number];
    const y = outputBuffer(backend, n * oh * ow * c);
    addon.maxPool(geom, xv, y);
    return backend.makeTensorInfo([n, oh, ow, c], 'float32', y);
  };
}

/** MaxPoolGrad: inputs { dy, input, output }; the argmax is recomputed from input. */
export function maxPoolGradBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, input } = inputs;
    const dyv = f32(backend, dy);
    const xv = f32(backend, input);
    if (!dy || !input || !dyv || !xv) return undefined;
    const geom = poolGeometry(input.shape, attrs as unknown as PoolAttrs);
    if (!geom || dy.shape.join() !== [geom[0], geom[4], geom[5], geom[3]].join()) return undefined;
    const dx = outputBuffer(backend, xv.length);
    addon.maxPoolGrad(geom, xv, dyv, dx);
    return backend.makeTensorInfo([...input.shape], 'float32', dx);
  };
}
