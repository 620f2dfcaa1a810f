/**
 * Slice and PadV2 for the cpu backend. Strided 3x3 convs pad explicitly (PyTorch's symmetric
 * padding), so every step runs a big pad forward and its gradient, a big slice; the stock
 * generic-index versions took ~0.75 s per call on a ResNet activation.
 */
import { slice_util, util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { f32, type KernelArgs, type NativeBody } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

/** Slice: attrs { begin, size } (size -1 = to the end). */
export function sliceBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs;
    const xv = f32(backend, x);
    if (!x || !xv || x.shape.length === 0) return undefined;
    const params = slice_util.parseSliceParams(x as never, attrs?.['begin'] as number[], attrs?.['size'] as number[]);
    const begin = params[0] as number[];
    const size = params[1] as number[];
    slice_util.assertParamsValid(x as never, begin, size);
    const y = outputBuffer(backend, util.sizeFromShape(size));
    if (y.length > 0)
      addon.copyBox(
        [...x.shape],
        size,
        begin,
        size.map(() => 0),
        size,
        xv,
        y,
      );
    return backend.makeTensorInfo(size, 'float32', y);
  };
}

/** PadV2: attrs { paddings: [before, after] per dim, constantValue }. */
export function padBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs;
    const xv = f32(backend, x);
    const paddings = attrs?.['paddings'] as Array<[number, number]> | undefined;
    if (!x || !xv || !paddings || paddings.length !== x.shape.length || x.shape.length === 0) return undefined;
    if (paddings.some(([b, a]) => b < 0 || a < 0)) return undefined;
    const outShape = x.shape.map((d, i) => d + (paddings[i]?.[0] ?? 0) + (paddings[i]?.[1] ?? 0));
    const value = Number(attrs?.['constantValue'] ?? 0);
    // The border keeps the constant: a zeroed buffer for 0 (fresh memory already is), else one fill pass.
    const y = outputBuffer(backend, util.sizeFromShape(outShape), value === 0);
    if (value !== 0) addon.fill(value, y);
    if (xv.length > 0)
      addon.copyBox(
        [...x.shape],
        outShape,
        x.shape.map(() => 0),
        paddings.map(([b]) => b),
        [...x.shape],
        xv,
        y,
      );
    return backend.makeTensorInfo(outShape, 'float32', y);
  };
}
