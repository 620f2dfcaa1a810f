/**
 * The wasm backend's own kernels that ours replace, kept so a replacement can hand calls it
 * does not support back to them (never a wrong answer, never a new failure).
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';

const stock = new Map<string, KernelFunc>();

/** Records the package's kernel for `name` (first one seen wins; ours are never recorded). */
export function rememberStockKernel(name: string, kernelFunc: KernelFunc): void {
  if (!stock.has(name)) stock.set(name, kernelFunc);
}

/** The package's kernel for `name`, or undefined if wasm shipped none. */
export function stockKernel(name: string): KernelFunc | undefined {
  return stock.get(name);
}
