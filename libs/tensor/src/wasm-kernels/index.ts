/**
 * Gradient kernels the wasm backend lacks in tfjs 4.22, built from ops it runs natively.
 * Register them after `@tensorflow/tfjs-backend-wasm` has been imported: the package
 * registers its own kernels at import and would overwrite ours otherwise.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { conv2dBackpropFilterFromOps, conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
export { unsortedSegmentSumFromOps, unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Every kernel this module adds to the wasm backend. */
export const wasmGradKernelConfigs: readonly KernelConfig[] = [conv2dBackpropFilterConfig, unsortedSegmentSumConfig];

/**
 * Registers (or re-registers) our kernels for backend 'wasm'. Idempotent: a kernel already
 * registered with our function is left alone, so no "already registered" warning appears.
 * @returns names of the kernels registered by this call.
 */
export function registerWasmGradKernels(): string[] {
  const added: string[] = [];
  for (const config of wasmGradKernelConfigs) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
