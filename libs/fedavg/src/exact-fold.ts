/**
 * An exact, order-independent FedAvg accumulator: each term `v * n` (a float32 delta value times
 * the client's sample count) is rounded once to a fixed-point integer with {@link EXACT_FRACTION_BITS}
 * fractional bits, and those integers are summed exactly. Integer addition is associative, so the
 * sums, and the average computed from them with one rounding at the end, are the same bytes in any
 * arrival order. This is what lets the aggregator fold each update as it is accepted and drop its
 * blob, instead of keeping all K blobs to fold them in client-id order at the end.
 *
 * Representation: per element two float64 limbs holding integers, `hi * 2^32 + lo`. A term
 * `t = round(v * n * 2^32)` is split exactly into `hi = floor(t / 2^32)` and `lo = t - hi * 2^32`
 * (in [0, 2^32)). Every step is exact in float64:
 * - `v * n`: 24-bit mantissa × n < 2^20 → at most 44 significant bits; `* 2^32` is exact;
 * - `|t| <= 2^11 * 2^20 * 2^32 = 2^63`, so `|hi| <= 2^31`; over at most 2^21 terms `|Σ hi| <= 2^52`
 *   and `Σ lo < 2^53`: both sums stay integers below 2^53, where float64 addition is exact.
 * Range: |v| * n <= {@link EXACT_MAX_ABS_TERM} (2^31: the bound above needs the product, not |v|
 * alone, so an update of 17 samples may hold values up to ~1.3e8 and one of 2^20 samples up to
 * 2048), samples <= {@link EXACT_MAX_SAMPLES}, at most {@link EXACT_MAX_TERMS} updates; outside
 * it `add` throws rather than lose exactness.
 * Precision: each term is off by at most 2^-33 (in units of v·n), so the average is off by at
 * most 2^-33 ≈ 1.2e-10 absolute before the final float32 rounding (float32's own ulp at 0.002).
 */
import type { Weights } from '@fedssd/tensor';
import { FedAvgError } from './errors.js';
import { assertSameLayout } from './weights-math.js';

export const EXACT_FRACTION_BITS = 32;
/** Largest |v * n| of one term: keeps |hi| <= 2^31 (module comment). */
export const EXACT_MAX_ABS_TERM = 2 ** 31;
export const EXACT_MAX_SAMPLES = 2 ** 20;
export const EXACT_MAX_TERMS = 2 ** 21;

const LIMB = 2 ** 32;
const SCALE = 2 ** EXACT_FRACTION_BITS;
const MAGIC = 0x46584631; // "FXF1"
// Header: magic, count, tensor count, 0 (uint32 each), totalSamples (float64), then one uint32 length per tensor.
const HEADER_BYTES = 24;

function sumsOffset(tensors: number): number {
  return Math.ceil((HEADER_BYTES + 4 * tensors) / 8) * 8;
}

/** An exact FedAvg accumulator (see the module comment); memory 16 bytes per parameter. */
export interface ExactFedAvg {
  /** Folds one update weighted by its sample count; same layout as the template. Throws outside the exact range. */
  add(update: Weights, samples: number): void;
  readonly count: number;
  readonly totalSamples: number;
  /** `Σ v n / Σ n` as float32 in the template's layout; throws `NO_UPDATES` before the first `add`. */
  result(): Weights;
  /** The sums as bytes (12 per parameter: hi limbs as float64, then lo limbs normalised to uint32), for a checkpoint. */
  encode(): Uint8Array;
}

/** Largest |value| of a tensor list, for the range check (NaN counts as out of range). */
function maxAbs(update: Weights): number {
  let m = 0;
  for (const w of update) {
    const v = w.values;
    for (let j = 0; j < v.length; j += 1) {
      const a = Math.abs(v[j] as number);
      if (!(a <= m)) m = a;
    }
  }
  return m;
}

/** Throws unless `update`, weighted by `samples`, can be folded exactly (finite, every |value| * samples within range). */
export function assertExactRange(update: Weights, samples: number): void {
  const m = maxAbs(update);
  if (!(m * samples <= EXACT_MAX_ABS_TERM)) {
    throw new FedAvgError(
      'INVALID_OPTION',
      `update values must lie within ±${EXACT_MAX_ABS_TERM / samples} for the exact fold of ${samples} samples (|value| x samples <= 2^31; largest |value| ${m})`,
    );
  }
}

function foldTensor(hi: Float64Array, lo: Float64Array, values: Float32Array, samples: number): void {
  const k = samples * SCALE;
  for (let j = 0; j < values.length; j += 1) {
    const t = Math.round((values[j] as number) * k);
    const h = Math.floor(t / LIMB);
    hi[j] = (hi[j] as number) + h;
    lo[j] = (lo[j] as number) + (t - h * LIMB);
  }
}

/** Creates an exact accumulator shaped like `template` (names and shapes only), optionally from `encode()` bytes. */
export function createExactFedAvg(template: Weights, saved?: Uint8Array): ExactFedAvg {
  const his = template.map((w) => new Float64Array(w.values.length));
  const los = template.map((w) => new Float64Array(w.values.length));
  let count = 0;
  let totalSamples = 0;
  if (saved !== undefined) ({ count, totalSamples } = restore(template, saved, his, los));

  return {
    add(update, samples) {
      if (!Number.isInteger(samples) || samples < 1 || samples > EXACT_MAX_SAMPLES) {
        throw new FedAvgError(
          'INVALID_OPTION',
          `samples must be an integer in 1..${EXACT_MAX_SAMPLES} for the exact fold (got ${samples})`,
        );
      }
      if (count >= EXACT_MAX_TERMS) throw new FedAvgError('INVALID_OPTION', `the exact fold takes at most ${EXACT_MAX_TERMS} updates`);
      assertSameLayout(template, update, 'update');
      assertExactRange(update, samples);
      update.forEach((w, i) => foldTensor(his[i] as Float64Array, los[i] as Float64Array, w.values, samples));
      count += 1;
      totalSamples += samples;
    },
    get count() {
      return count;
    },
    get totalSamples() {
      return totalSamples;
    },
    result() {
      if (count === 0) throw new FedAvgError('NO_UPDATES', 'result() needs at least one update; none was added');
      return template.map((w, i) => {
        const hi = his[i] as Float64Array;
        const lo = los[i] as Float64Array;
        const values = new Float32Array(hi.length);
        // hi * 2^32 is exact; the sum with lo is the one rounding of the integer; / 2^32 is exact.
        for (let j = 0; j < hi.length; j += 1) values[j] = ((hi[j] as number) * LIMB + (lo[j] as number)) / SCALE / totalSamples;
        return { name: w.name, shape: [...w.shape], values };
      });
    },
    encode() {
      // Layout: header, then every hi limb (float64), then every lo limb (uint32): bulk typed-array copies.
      const params = his.reduce((n, h) => n + h.length, 0);
      const offset = sumsOffset(his.length);
      const out = new Uint8Array(offset + params * 12);
      const view = new DataView(out.buffer);
      [MAGIC, count, his.length, 0].forEach((x, k) => view.setUint32(k * 4, x, true));
      view.setFloat64(16, totalSamples, true);
      his.forEach((h, i) => view.setUint32(HEADER_BYTES + 4 * i, h.length, true));
      const hiOut = new Float64Array(out.buffer, offset, params);
      const loOut = new Uint32Array(out.buffer, offset + params * 8, params);
      let p = 0;
      his.forEach((hi, i) => {
        const lo = los[i] as Float64Array;
        for (let j = 0; j < hi.length; j += 1, p += 1) {
          // Normalise: carry lo's multiples of 2^32 into hi (exact), leaving lo in [0, 2^32).
          const carry = Math.floor((lo[j] as number) / LIMB);
          hiOut[p] = (hi[j] as number) + carry;
          loOut[p] = (lo[j] as number) - carry * LIMB;
        }
      });
      return out;
    },
  };
}

function restore(template: Weights, saved: Uint8Array, his: Float64Array[], los: Float64Array[]): { count: number; totalSamples: number } {
  const view = new DataView(saved.buffer, saved.byteOffset, saved.byteLength);
  const bad = (why: string): FedAvgError => new FedAvgError('WEIGHTS_MISMATCH', `saved exact-fold state does not fit the model: ${why}`);
  if (saved.byteLength < HEADER_BYTES || view.getUint32(0, true) !== MAGIC) throw bad('not an exact-fold checkpoint');
  const tensors = view.getUint32(8, true);
  if (tensors !== template.length) throw bad(`${tensors} tensors, model has ${template.length}`);
  const offset = sumsOffset(tensors);
  const params = his.reduce((n, h) => n + h.length, 0);
  if (saved.byteLength !== offset + params * 12) throw bad(`${saved.byteLength} bytes, expected ${offset + params * 12}`);
  // Copy out of `saved` (its offset need not be 8-aligned; a Buffer from Redis usually is not).
  const body = new Uint8Array(saved.subarray(offset)); // a copy: Buffer.slice would be a view
  const hiIn = new Float64Array(body.buffer, 0, params);
  const loIn = new Uint32Array(body.buffer, params * 8, params);
  let p = 0;
  his.forEach((hi, i) => {
    if (view.getUint32(HEADER_BYTES + 4 * i, true) !== hi.length) throw bad(`tensor ${i} length differs`);
    hi.set(hiIn.subarray(p, p + hi.length));
    (los[i] as Float64Array).set(loIn.subarray(p, p + hi.length));
    p += hi.length;
  });
  return { count: view.getUint32(4, true), totalSamples: view.getFloat64(16, true) };
}
