/**
 * Seeded weight initialisers that mirror PyTorch's defaults, filling plain Float32Arrays so
 * the same seed gives bit-identical weights on every backend. Each tensor draws from its own
 * generator derived from (seed, name), so adding a layer never shifts the others' values.
 */
import { deriveRng } from '@fedssd/tensor';

/**
 * Kaiming-normal for a conv kernel [kh, kw, in, out] with mode fan_out and ReLU gain, as
 * torchvision's ResNet does: std = sqrt(2 / (out * kh * kw)).
 */
export function kaimingNormalConv(seed: number, name: string, shape: readonly [number, number, number, number]): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const std = Math.sqrt(2 / (cout * kh * kw));
  const rng = deriveRng(seed, name);
  const out = new Float32Array(kh * kw * cin * cout);
  for (let i = 0; i < out.length; i += 1) out[i] = rng.normal() * std;
  return out;
}

/**
 * PyTorch's default for nn.Linear weight and bias: U(-1/sqrt(fanIn), 1/sqrt(fanIn))
 * (kaiming_uniform with a = sqrt(5) reduces to this bound for the weight).
 */
export function linearUniform(seed: number, name: string, size: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const rng = deriveRng(seed, name);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 1) out[i] = rng.uniform(-bound, bound);
  return out;
}

/** A constant-filled array (BN gamma 1, beta 0, running mean 0, running var 1). */
export function filled(size: number, value: number): Float32Array {
  return new Float32Array(size).fill(value);
}
