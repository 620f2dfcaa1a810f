/**
 * One-pass kernels for @fedssd/ssl's training batch norm (`batchNormTrain`): the forward
 * (batch mean, biased variance, normalise, optional ReLU) and its full gradient. These are new
 * kernel names, not replacements: with them absent, `batchNormTrain` runs its portable
 * TF.js-op version, so there is no fallback here; input that breaks the contract throws.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { count, f32, removeCpuKernel, setCpuKernel, type KernelArgs } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

/** Kernel names; must equal BATCH_NORM_TRAIN_KERNEL / BATCH_NORM_TRAIN_GRAD_KERNEL of @fedssd/ssl (a test checks). */
export const BN_TRAIN_KERNEL = 'FedssdBatchNormTrain';
export const BN_TRAIN_GRAD_KERNEL = 'FedssdBatchNormTrainGrad';

function floats(args: KernelArgs, name: string, kernel: string): Float32Array {
  const v = f32(args.backend, args.inputs[name]);
  if (!v) throw new Error(`${kernel}: input '${name}' must be a float32 cpu tensor`);
  return v;
}

function channelsOf(args: KernelArgs, kernel: string, perChannel: string[]): { c: number; shape: number[] } {
  const x = args.inputs['x'];
  const shape = x ? [...x.shape] : [];
  const c = shape[shape.length - 1] ?? 0;
  const bad = perChannel.find((n) => args.inputs[n]?.shape.length !== 1 || args.inputs[n]?.shape[0] !== c);
  if (shape.length < 2 || c < 1 || bad !== undefined) {
    throw new Error(`${kernel}: x must be [..., C] with C >= 1 and ${perChannel.join(', ')} of shape [C]`);
  }
  return { c, shape };
}

function forwardKernel(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs): TensorInfo[] => {
    const { c, shape } = channelsOf(args, BN_TRAIN_KERNEL, ['scale', 'offset']);
    const xv = floats(args, 'x', BN_TRAIN_KERNEL);
    const y = outputBuffer(args.backend, xv.length);
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    const eps = Number(args.attrs?.['epsilon']);
    addon.batchNormTrain(
      c,
      eps,
      args.attrs?.['relu'] === true,
      xv,
      floats(args, 'scale', BN_TRAIN_KERNEL),
      floats(args, 'offset', BN_TRAIN_KERNEL),
      y,
      mean,
      variance,
    );
    count(BN_TRAIN_KERNEL, true);
    return [
      args.backend.makeTensorInfo(shape, 'float32', y),
      args.backend.makeTensorInfo([c], 'float32', mean),
      args.backend.makeTensorInfo([c], 'float32', variance),
    ];
  }) as unknown as KernelFunc;
}

function gradKernel(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs): TensorInfo[] => {
    const { c, shape } = channelsOf(args, BN_TRAIN_GRAD_KERNEL, ['mean', 'variance', 'scale']);
    const name = BN_TRAIN_GRAD_KERNEL;
    const xv = floats(args, 'x', name);
    const dyv = floats(args, 'dy', name);
    const relu = args.attrs?.['relu'] === true;
    const yv = relu ? floats(args, 'y', name) : null;
    if (dyv.length !== xv.length || (yv !== null && yv.length !== xv.length)) throw new Error(`${name}: dy and y must have x's shape`);
    const dx = outputBuffer(args.backend, xv.length);
    const dscale = new Float32Array(c);
    const doffset = new Float32Array(c);
    const eps = Number(args.attrs?.['epsilon']);
    addon.batchNormTrainGrad(
      c,
      eps,
      dyv,
      xv,
      floats(args, 'mean', name),
      floats(args, 'variance', name),
      floats(args, 'scale', name),
      yv,
      dx,
      dscale,
      doffset,
    );
    count(name, true);
    return [
      args.backend.makeTensorInfo(shape, 'float32', dx),
      args.backend.makeTensorInfo([c], 'float32', dscale),
      args.backend.makeTensorInfo([c], 'float32', doffset),
    ];
  }) as unknown as KernelFunc;
}

/** Registers both kernels for backend 'cpu' (replacing an earlier registration). */
export function registerBatchNormTrainKernels(addon: NativeAddon): string[] {
  const kernels: Array<[string, KernelFunc]> = [
    [BN_TRAIN_KERNEL, forwardKernel(addon)],
    [BN_TRAIN_GRAD_KERNEL, gradKernel(addon)],
  ];
  for (const [kernelName, kernelFunc] of kernels) setCpuKernel(kernelName, kernelFunc);
  return kernels.map(([name]) => name);
}

/** Removes both kernels: `batchNormTrain` goes back to its portable version. */
export function unregisterBatchNormTrainKernels(): void {
  for (const name of [BN_TRAIN_KERNEL, BN_TRAIN_GRAD_KERNEL]) removeCpuKernel(name);
}
