/** FusedBatchNorm (normalise with given statistics) for the cpu backend through the addon. */
import type { NativeAddon } from './addon.js';
import { f32, type KernelArgs, type NativeBody } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

/**
 * FusedBatchNorm: inputs { x, mean, variance, offset?, scale? }, attrs { varianceEpsilon }.
 * Statistics must be per channel (last axis) or scalars; other broadcasts fall back.
 */
export function batchNormBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, mean, variance, offset, scale } = inputs;
    const xv = f32(backend, x);
    const mv = f32(backend, mean);
    const vv = f32(backend, variance);
    const ov = offset ? f32(backend, offset) : null;
    const sv = scale ? f32(backend, scale) : null;
    if (!x || !xv || !mv || !vv || ov === undefined || sv === undefined || x.shape.length < 1) return undefined;
    const c = x.shape[x.shape.length - 1] ?? 0;
    const fits = (v: Float32Array | null): boolean => v === null || v.length === c || v.length === 1;
    if (c < 1 || ![mv, vv, ov, sv].every(fits)) return undefined;
    const eps = Number(attrs?.['varianceEpsilon'] ?? 0.001);
    const y = outputBuffer(backend, xv.length);
    addon.batchNorm(c, eps, xv, mv, vv, ov, sv, y);
    return backend.makeTensorInfo([...x.shape], 'float32', y);
  };
}
