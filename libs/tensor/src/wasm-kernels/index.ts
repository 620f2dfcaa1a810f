/**
 * Gradient kernels the wasm backend lacks in tfjs 4.22, built from ops it runs natively.
 * Register them after `@tensorflow/tfjs-backend-wasm` has been imported: the package
 * registers its own kernels at import and would overwrite ours otherwise.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { rememberStockKernel } from './stock-kernels.js';
import { tileBroadcastConfig } from './tile-broadcast.js';

export { conv2dBackpropFilterFromOps, conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
export { unsortedSegmentSumFromOps, unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
export { conv2dBackpropInputFromOps, conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
export { tileBroadcastConfig, tileIsBroadcast } from './tile-broadcast.js';

/** Every kernel this module adds to the wasm backend. */
export const wasmGradKernelConfigs: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  unsortedSegmentSumConfig,
  conv2dBackpropInputConfig,
  tileBroadcastConfig,
];

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
    let setupFunc = config.setupFunc;
    if (existing) {
      // Keep the package's own kernel: replacements hand unsupported calls back to it. Its
      // setupFunc (binding the wasm export it calls) must still run at backend start-up.
      rememberStockKernel(config.kernelName, existing.kernelFunc);
      setupFunc = existing.setupFunc ?? setupFunc;
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(setupFunc ? { ...config, setupFunc } : config);
    added.push(config.kernelName);
  }
  return added;
}
