/**
 * `FedssdConvBatchNorm` for @fedssd/ssl's inference path: conv2d (NHWC, HWIO filter) followed by
 * batch norm with running statistics, optionally + residual and ReLU, as one oneDNN primitive
 * with post-ops (see csrc/conv-bn.cc). A new kernel name: @fedssd/ssl runs its plain TF.js ops
 * where it is not registered. Inputs it cannot serve natively (a geometry oneDNN cannot
 * express, non-float32 data) run through the registered Conv2D, FusedBatchNorm, Add and Relu
 * kernels instead, so the answer is the same either way.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { convGeometry } from './conv-kernels.js';
import { count, f32, removeCpuKernel, setCpuKernel, type CpuBackendLike, type KernelArgs } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

/** Must equal CONV_BN_KERNEL of @fedssd/ssl (a test checks). */
export const CONV_BN_KERNEL = 'FedssdConvBatchNorm';

type Shape4 = [number, number, number, number];
type ConvAttrs = Parameters<typeof convGeometry>[2];

function run(name: string, args: KernelArgs): TensorInfo {
  const kernel = tf.getKernel(name, 'cpu');
  if (!kernel) throw new Error(`${CONV_BN_KERNEL}: no cpu kernel '${name}'`);
  return kernel.kernelFunc(args as never) as TensorInfo;
}

/** The same ops as @fedssd/ssl's portable path, kernel by kernel, intermediates released. */
function composite(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const disposable = backend as CpuBackendLike & { disposeIntermediateTensorInfo(t: TensorInfo): void };
  const y = run(tf.Conv2D, { inputs: { x: inputs['x'], filter: inputs['filter'] }, backend, attrs });
  const bnInputs = { x: y, mean: inputs['mean'], variance: inputs['variance'], offset: inputs['offset'], scale: inputs['scale'] };
  let out = run(tf.FusedBatchNorm, { inputs: bnInputs, backend, attrs: { varianceEpsilon: attrs?.['varianceEpsilon'] ?? 0.001 } });
  disposable.disposeIntermediateTensorInfo(y);
  const then = (name: string, stepInputs: Record<string, TensorInfo | undefined>): void => {
    const next = run(name, { inputs: stepInputs, backend });
    disposable.disposeIntermediateTensorInfo(out);
    out = next;
  };
  if (inputs['residual']) then(tf.Add, { a: out, b: inputs['residual'] });
  if (attrs?.['relu'] === true) then(tf.Relu, { x: out });
  return out;
}

function convBnKernel(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x, filter, residual } = inputs;
    const [xv, wv, mean, variance, offset, scale] = ['x', 'filter', 'mean', 'variance', 'offset', 'scale'].map((n) =>
      f32(backend, inputs[n]),
    );
    const rv = residual ? f32(backend, residual) : null;
    const geom =
      x?.shape.length === 4 && filter?.shape.length === 4
        ? convGeometry(x.shape as Shape4, filter.shape as Shape4, attrs as unknown as ConvAttrs)
        : undefined;
    const co = geom?.[6] ?? 0;
    const perChannel = [mean, variance, offset, scale].every((v) => v?.length === co);
    const outShape = geom ? ([geom[0], geom[4], geom[5], co] as number[]) : [];
    const residualFits = residual === undefined || (rv && residual.shape.join() === outShape.join());
    if (!geom || !xv || !wv || !perChannel || !residualFits) {
      count(CONV_BN_KERNEL, false);
      return composite(args);
    }
    const y = outputBuffer(backend, tf.util.sizeFromShape(outShape));
    const eps = Number(attrs?.['varianceEpsilon'] ?? 0.001);
    addon.conv2dBn(
      geom,
      eps,
      attrs?.['relu'] === true,
      xv,
      wv,
      mean as Float32Array,
      variance as Float32Array,
      offset as Float32Array,
      scale as Float32Array,
      rv ?? null,
      y,
    );
    count(CONV_BN_KERNEL, true);
    return backend.makeTensorInfo(outShape, 'float32', y);
  }) as unknown as KernelFunc;
}

/** Registers the kernel for backend 'cpu' (replacing an earlier registration). */
export function registerConvBnKernel(addon: NativeAddon): string {
  setCpuKernel(CONV_BN_KERNEL, convBnKernel(addon));
  return CONV_BN_KERNEL;
}

/** Removes it: @fedssd/ssl goes back to separate conv, batch-norm, add and relu ops. */
export function unregisterConvBnKernel(): void {
  removeCpuKernel(CONV_BN_KERNEL);
}
