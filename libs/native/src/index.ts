/**
 * @fedssd/native: optional oneDNN kernels for TF.js's cpu backend (conv2d and its two
 * gradients, max-pool and its gradient, batched matmul, batch norm, training batch norm). Build with
 * `npm run build:native`; without the build, `loadNativeAddon()` reports why and nothing breaks.
 * The same build makes a second, oneDNN-free addon for the aggregator (`loadFoldAddon()`): a SIMD
 * FedAvg fold bitwise equal to the JS one, and ISA-L's CRC-32 for the weights codec.
 */
export { addonPath, loadNativeAddon, type AddonLoad, type NativeAddon } from './addon.js';
export { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from './batch-norm-train-kernels.js';
export { configureBufferPool, poolStats, type BufferPoolOptions } from './buffer-pool.js';
export { CONV_BN_KERNEL } from './conv-bn-kernel.js';
export { convGeometry } from './conv-kernels.js';
export { foldAddonPath, loadFoldAddon, type FoldAddon, type FoldAddonLoad } from './fold.js';
export { kernelStats } from './kernel-context.js';
export { RELU_GRAD_KERNEL } from './relu-grad-kernel.js';
export {
  DEFAULT_PARALLEL_MIN_ELEMENTS,
  registerNativeCpuKernels,
  unregisterNativeCpuKernels,
  type NativeCpuOptions,
  type NativeCpuRegistration,
} from './register.js';
