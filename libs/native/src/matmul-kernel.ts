/** BatchMatMul for the cpu backend through oneDNN's sgemm. */
import type { NativeAddon } from './addon.js';
import { f32, type KernelArgs, type NativeBody } from './kernel-context.js';
import { outputBuffer } from './buffer-pool.js';

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/**
 * BatchMatMul: inputs { a, b }, attrs { transposeA, transposeB }. Supports equal batch dims
 * or one side without batch (broadcast); other broadcasts fall back.
 */
export function batchMatMulBody(addon: NativeAddon): NativeBody {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { a, b } = inputs;
    const av = f32(backend, a);
    const bv = f32(backend, b);
    if (!a || !b || !av || !bv || a.shape.length < 2 || b.shape.length < 2) return undefined;
    const transA = attrs?.['transposeA'] === true;
    const transB = attrs?.['transposeB'] === true;
    const [a0, a1] = a.shape.slice(-2) as [number, number];
    const [b0, b1] = b.shape.slice(-2) as [number, number];
    const m = transA ? a1 : a0;
    const k = transA ? a0 : a1;
    const n = transB ? b0 : b1;
    if ((transB ? b1 : b0) !== k) return undefined;
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const countA = product(batchA);
    const countB = product(batchB);
    let outBatch: number[];
    if (batchA.join() === batchB.join()) outBatch = batchA;
    else if (countB === 1 && batchB.length <= batchA.length) outBatch = batchA;
    else if (countA === 1 && batchA.length <= batchB.length) outBatch = batchB;
    else return undefined;
    const batch = product(outBatch);
    const c = outputBuffer(backend, batch * m * n);
    const strideA = countA === 1 ? 0 : m * k;
    const strideB = countB === 1 ? 0 : k * n;
    if (m > 0 && n > 0) addon.matMul([batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0, strideA, strideB], av, bv, c);
    return backend.makeTensorInfo([...outBatch, m, n], 'float32', c);
  };
}
