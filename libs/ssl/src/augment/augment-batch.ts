/**
 * One augmented view per image of an NHWC batch, pure JS and seeded: crop + flip, then
 * colour jitter in a random order (as torchvision's ColorJitter), then grayscale.
 */
import type { Rng } from '@fedssd/tensor';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, toGrayscale } from './colour.js';
import { resizeCrop, sampleCrop } from './crop.js';
import { resolvePolicy, type AugmentParams, type AugmentPolicy } from './policy.js';

type JitterOp = 0 | 1 | 2 | 3; // brightness, contrast, saturation, hue

function factorRange(strength: number, rng: Rng): number {
  return rng.uniform(Math.max(0, 1 - strength), 1 + strength);
}

function jitter(img: Float32Array, channels: number, p: AugmentParams, rng: Rng): void {
  const order: JitterOp[] = rng.shuffle([0, 1, 2, 3]);
  // Factors are drawn once per image, before applying, as torchvision does; a zero strength
  // disables the op without consuming draws so presets stay comparable.
  const b = p.brightness > 0 ? factorRange(p.brightness, rng) : 1;
  const c = p.contrast > 0 ? factorRange(p.contrast, rng) : 1;
  const s = p.saturation > 0 && channels === 3 ? factorRange(p.saturation, rng) : 1;
  const h = p.hue > 0 && channels === 3 ? rng.uniform(-p.hue, p.hue) : 0;
  for (const op of order) {
    if (op === 0 && b !== 1) adjustBrightness(img, b);
    else if (op === 1 && c !== 1) adjustContrast(img, channels, c);
    else if (op === 2 && s !== 1) adjustSaturation(img, s);
    else if (op === 3 && h !== 0) adjustHue(img, h);
  }
}

/**
 * Augments `count` images of shape [h, w, c] (NHWC, values in [0, 1]) into a new array of the
 * same layout, consuming `rng` in a fixed order (same rng state, same output).
 */
export function augmentBatch(
  images: Float32Array,
  count: number,
  shape: readonly [number, number, number],
  rng: Rng,
  policy: AugmentPolicy,
): Float32Array {
  const [height, width, channels] = shape;
  const params = resolvePolicy(policy);
  const per = height * width * channels;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`augmentBatch count must be a non-negative integer, got ${count}`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`augmentBatch shape channels must be 1 or 3, got ${channels}`);
  if (images.length < count * per)
    throw new RangeError(`augmentBatch images holds ${images.length} values, needs count * h * w * c = ${count * per}`);
  const out = new Float32Array(count * per);
  for (let n = 0; n < count; n += 1) {
    const box = sampleCrop(rng, height, width, params.cropScale, params.cropRatio);
    const flip = rng.next() < params.flipProb;
    resizeCrop(images, n * per, out, n * per, height, width, channels, box, flip);
    const img = out.subarray(n * per, (n + 1) * per);
    if (rng.next() < params.jitterProb) jitter(img, channels, params, rng);
    if (channels === 3 && params.grayscaleProb > 0 && rng.next() < params.grayscaleProb) toGrayscale(img);
  }
  return out;
}
