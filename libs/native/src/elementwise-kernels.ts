/**
 * Broadcasting binary ops, a few unary ops, Sum/Mean over one contiguous block of axes, and
 * Tile for the cpu backend. In a training step the stock JS versions cost ~30x the
 * convolutions (batch-norm and loss gradients are built from them).
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { f32, type KernelArgs, type NativeBody } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

/** Kernel name to the addon's BinaryKind code (order of the C++ enum). */
export const BINARY_CODES: ReadonlyArray<readonly [string, number]> = [
  [tf.Add, 0],
  [tf.Sub, 1],
  [tf.Multiply, 2],
  [tf.RealDiv, 3],
  [tf.SquaredDifference, 4],
  [tf.Maximum, 5],
];
/** Kernel name to the addon's UnaryKind code. */
export const UNARY_CODES: ReadonlyArray<readonly [string, number]> = [
  [tf.Relu, 0],
  [tf.Step, 1],
  [tf.Square, 2],
  [tf.Neg, 3],
  [tf.Exp, 4],
  [tf.Sqrt, 5],
  [tf.Rsqrt, 6],
];

/** Per-output-dim element strides of an input right-aligned to `out` (0 where it broadcasts). */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, d = out.length - 1; i >= 0; i -= 1, d -= 1) {
    const dim = shape[i] as number;
    strides[d] = dim === 1 ? 0 : stride;
    stride *= dim;
  }
  return strides;
}

/** Merges adjacent output dims both inputs walk the same way, so the native inner loop is long. */
function collapse(out: number[], sa: number[], sb: number[]): [number[], number[], number[]] {
  const o = [out[0] as number];
  const a = [sa[0] as number];
  const b = [sb[0] as number];
  for (let d = 1; d < out.length; d += 1) {
    const last = o.length - 1;
    const dim = out[d] as number;
    if (a[last] === (sa[d] as number) * dim && b[last] === (sb[d] as number) * dim) {
      o[last] = (o[last] as number) * dim;
      a[last] = sa[d] as number;
      b[last] = sb[d] as number;
    } else {
      o.push(dim);
      a.push(sa[d] as number);
      b.push(sb[d] as number);
    }
  }
  return [o, a, b];
}

/** Binary op with NumPy broadcasting (both inputs float32). */
export function binaryBody(addon: NativeAddon, code: number): NativeBody {
  return ({ inputs, backend }: KernelArgs) => {
    const { a, b } = inputs;
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!a || !b || !av || !bv) return undefined;
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = util.sizeFromShape(outShape);
    const y = outputBuffer(backend, size);
    if (size > 0) {
      const full = outShape.length === 0 ? [1] : outShape;
      const [o, sa, sb] = collapse(full, broadcastStrides(a.shape, full), broadcastStrides(b.shape, full));
      addon.binary(code, o, sa, sb, av, bv, y);
    }
    return backend.makeTensorInfo(outShape, 'float32', y);
  };
}

/** Unary op; Step reads attrs.alpha. */
export function unaryBody(addon: NativeAddon, code: number): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs;
    const xv = f32(backend, x);
    if (!x || !xv) return undefined;
    const y = outputBuffer(backend, xv.length);
    addon.unary(code, Number(attrs?.['alpha'] ?? 0), xv, y);
    return backend.makeTensorInfo([...x.shape], 'float32', y);
  };
}

/** Sum (mean = false) or Mean over axes that form one contiguous block; others fall back. */
export function reduceBody(addon: NativeAddon, mean: boolean): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs;
    const xv = f32(backend, x);
    if (!x || !xv || x.shape.length === 0) return undefined;
    const axes = [...util.parseAxisParam(attrs?.['axis'] as number | number[], x.shape)].sort((p, q) => p - q);
    if (axes.length === 0 || axes.some((ax, i) => i > 0 && ax !== (axes[i - 1] as number) + 1)) return undefined;
    const first = axes[0] as number;
    const last = axes[axes.length - 1] as number;
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const reduce = util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = util.sizeFromShape(x.shape.slice(last + 1));
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs?.['keepDims'] === true ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const y = outputBuffer(backend, outer * inner);
    if (y.length > 0) addon.reduceSum([outer, reduce, inner], mean ? reduce : 1, xv, y);
    return backend.makeTensorInfo(shape, 'float32', y);
  };
}

/** Tile: attrs.reps, one per dim. */
export function tileBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs;
    const xv = f32(backend, x);
    const reps = attrs?.['reps'] as number[] | undefined;
    if (!x || !xv || !reps || reps.length !== x.shape.length || x.shape.length === 0) return undefined;
    const outShape = x.shape.map((d, i) => d * (reps[i] as number));
    const y = outputBuffer(backend, util.sizeFromShape(outShape));
    if (y.length > 0) addon.tile([...x.shape], outShape, xv, y);
    return backend.makeTensorInfo(outShape, 'float32', y);
  };
}
