/**
 * Plumbing shared by the native cpu kernels: typed-array access to the cpu backend's
 * storage, output allocation, and the fall-back-to-original rule.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The slice of tfjs-backend-cpu's MathBackendCPU that the kernels touch. */
export interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** Arguments TF.js passes to every kernel function. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: CpuBackendLike;
  attrs?: NamedAttrMap;
}

/** A kernel body returns its output, or undefined to mean "not supported here, use the original". */
export type NativeBody = (args: KernelArgs) => TensorInfo | undefined;

/** Float32 storage of a cpu-backend tensor, or undefined (other dtype, complex, not yet on cpu). */
export function f32(backend: CpuBackendLike, info: TensorInfo | undefined): Float32Array | undefined {
  if (info === undefined || info.dtype !== 'float32') return undefined;
  const values = backend.data.get(info.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** Counts of native vs fallback calls per kernel, for tests and the benchmark's notes. */
export const kernelStats = new Map<string, { native: number; fallback: number }>();

/** Records one call of `name` as served natively or by the fallback. */
export function count(name: string, native: boolean): void {
  const entry = kernelStats.get(name) ?? { native: 0, fallback: 0 };
  if (native) entry.native += 1;
  else entry.fallback += 1;
  kernelStats.set(name, entry);
}

/** Wraps a native body so unsupported calls go to the original kernel: never a wrong answer. */
export function withFallback(name: string, body: NativeBody, original: KernelFunc): KernelFunc {
  return ((args: KernelArgs) => {
    const out = body(args);
    count(name, out !== undefined);
    return out ?? original(args as never);
  }) as unknown as KernelFunc;
}

/** Registers `kernelFunc` as `kernelName` for backend 'cpu', replacing an earlier registration. */
export function setCpuKernel(kernelName: string, kernelFunc: KernelFunc): void {
  removeCpuKernel(kernelName);
  registerKernel({ kernelName, backendName: 'cpu', kernelFunc });
}

/** Removes `kernelName` from backend 'cpu' if registered. */
export function removeCpuKernel(kernelName: string): void {
  if (getKernel(kernelName, 'cpu')) unregisterKernel(kernelName, 'cpu');
}
