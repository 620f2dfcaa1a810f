/**
 * Colour transforms on one NHWC image in place (values in [0, 1]), following torchvision's
 * functional ops: each blends with a reference image and clamps to [0, 1].
 */

const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Scales every value by `factor` (blend with black). */
export function adjustBrightness(img: Float32Array, factor: number): void {
  for (let i = 0; i < img.length; i += 1) img[i] = clamp01((img[i] as number) * factor);
}

/** Mean luminance of the image (the value itself for one channel). */
function meanLuma(img: Float32Array, channels: number): number {
  let sum = 0;
  if (channels === 3) {
    for (let i = 0; i < img.length; i += 3)
      sum += LUMA_R * (img[i] as number) + LUMA_G * (img[i + 1] as number) + LUMA_B * (img[i + 2] as number);
    return sum / (img.length / 3);
  }
  for (let i = 0; i < img.length; i += 1) sum += img[i] as number;
  return sum / img.length;
}

/** Blends with the image's mean luminance (a flat grey image). */
export function adjustContrast(img: Float32Array, channels: number, factor: number): void {
  const mean = meanLuma(img, channels) * (1 - factor);
  for (let i = 0; i < img.length; i += 1) img[i] = clamp01((img[i] as number) * factor + mean);
}

/** Blends each pixel with its own luminance (3 channels only). */
export function adjustSaturation(img: Float32Array, factor: number): void {
  for (let i = 0; i < img.length; i += 3) {
    const grey = (LUMA_R * (img[i] as number) + LUMA_G * (img[i + 1] as number) + LUMA_B * (img[i + 2] as number)) * (1 - factor);
    img[i] = clamp01((img[i] as number) * factor + grey);
    img[i + 1] = clamp01((img[i + 1] as number) * factor + grey);
    img[i + 2] = clamp01((img[i + 2] as number) * factor + grey);
  }
}

/** Rotates the hue by `shift` turns (in [-0.5, 0.5]) through HSV, like torchvision's adjust_hue. */
export function adjustHue(img: Float32Array, shift: number): void {
  for (let i = 0; i < img.length; i += 3) {
    const r = img[i] as number;
    const g = img[i + 1] as number;
    const b = img[i + 2] as number;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const range = max - min;
    if (range === 0) continue; // grey pixel: hue undefined, unchanged
    const s = range / max;
    let h: number;
    if (max === r) h = (g - b) / range;
    else if (max === g) h = 2 + (b - r) / range;
    else h = 4 + (r - g) / range;
    h = h / 6 + shift;
    h -= Math.floor(h);
    const sector = h * 6;
    const k = Math.floor(sector) % 6;
    const f = sector - Math.floor(sector);
    const v = max;
    const p = v * (1 - s);
    const q = v * (1 - s * f);
    const t = v * (1 - s * (1 - f));
    const rgb = k === 0 ? [v, t, p] : k === 1 ? [q, v, p] : k === 2 ? [p, v, t] : k === 3 ? [p, q, v] : k === 4 ? [t, p, v] : [v, p, q];
    img[i] = rgb[0] as number;
    img[i + 1] = rgb[1] as number;
    img[i + 2] = rgb[2] as number;
  }
}

/** Replaces RGB with its luminance in all three channels. */
export function toGrayscale(img: Float32Array): void {
  for (let i = 0; i < img.length; i += 3) {
    const grey = LUMA_R * (img[i] as number) + LUMA_G * (img[i + 1] as number) + LUMA_B * (img[i + 2] as number);
    img[i] = grey;
    img[i + 1] = grey;
    img[i + 2] = grey;
  }
}
