/**
 * `FedssdReluGrad` for @fedssd/ssl's eager residual add+ReLU: dx = dy where y > 0, else 0, in
 * one pass (the portable version is step(y) then a multiply: two activation-sized passes and
 * an extra buffer). A new kernel name, so no fallback: a contract break throws.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { count, f32, removeCpuKernel, setCpuKernel, type KernelArgs } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

/** Must equal RELU_GRAD_KERNEL of @fedssd/ssl (a test checks). */
export const RELU_GRAD_KERNEL = 'FedssdReluGrad';
const RELU_GRAD = 6;

function reluGradKernel(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs): TensorInfo => {
    const dy = f32(args.backend, args.inputs['dy']);
    const y = f32(args.backend, args.inputs['y']);
    const shape = args.inputs['y']?.shape;
    if (!dy || !y || !shape || dy.length !== y.length)
      throw new Error(`${RELU_GRAD_KERNEL}: dy and y must be float32 cpu tensors of one shape`);
    const out = outputBuffer(args.backend, y.length);
    if (y.length > 0) addon.binary(RELU_GRAD, [y.length], [1], [1], dy, y, out);
    count(RELU_GRAD_KERNEL, true);
    return args.backend.makeTensorInfo([...shape], 'float32', out);
  }) as unknown as KernelFunc;
}

/** Registers the kernel for backend 'cpu' (replacing an earlier registration). */
export function registerReluGradKernel(addon: NativeAddon): string {
  setCpuKernel(RELU_GRAD_KERNEL, reluGradKernel(addon));
  return RELU_GRAD_KERNEL;
}

/** Removes it: @fedssd/ssl goes back to step + multiply. */
export function unregisterReluGradKernel(): void {
  removeCpuKernel(RELU_GRAD_KERNEL);
}
