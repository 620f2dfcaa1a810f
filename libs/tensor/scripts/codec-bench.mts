/** fp32 encode+decode throughput of a ~50 MB model. Usage: node --import tsx libs/tensor/scripts/codec-bench.mts */
import { crc32c, decodeWeights, encodeWeights, weightsByteLength } from '../src/index.js';
const values = new Float32Array(12_500_000).map((_, i) => Math.sin(i));
const w = [{ name: 'a', shape: [12_500_000], values }];
const buf = new Uint8Array(values.buffer);
const time = (label: string, bytes: number, f: () => unknown): void => {
  f();
  const t0 = performance.now();
  for (let r = 0; r < 5; r += 1) f();
  const s = (performance.now() - t0) / 1000 / 5;
  console.log(`${label}: ${(s * 1000).toFixed(1)} ms, ${(bytes / s / 1e9).toFixed(2)} GB/s`);
};
const n = weightsByteLength(w);
time('crc32c', buf.length, () => crc32c(buf));
const enc = encodeWeights(w);
time('encode', n, () => encodeWeights(w));
time('decode', n, () => decodeWeights(enc));
time('decode copy:false', n, () => decodeWeights(enc, { copy: false }));
time('encode+decode copy:false', n, () => decodeWeights(encodeWeights(w), { copy: false }));
time('encode+decode', n, () => decodeWeights(encodeWeights(w)));
