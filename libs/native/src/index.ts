/**
 * @fedssd/native: optional oneDNN kernels for TF.js's cpu backend (conv2d and its two
 * gradients, max-pool and its gradient, batched matmul, batch norm, training batch norm). Build with
 * `npm run build:native`; without the build, `loadNativeAddon()` reports why and nothing breaks.
 */
export { addonPath, loadNativeAddon, type AddonLoad, type NativeAddon } from './addon.js';
export { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from './batch-norm-train-kernels.js';
export { convGeometry } from './conv-kernels.js';
export { kernelStats } from './kernel-context.js';
export {
  registerNativeCpuKernels,
  unregisterNativeCpuKernels,
  type NativeCpuOptions,
  type NativeCpuRegistration,
} from './register.js';
