/** Random resized crop (torchvision semantics) with bilinear resampling and optional flip. */
import type { Rng } from '@fedssd/tensor';

export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/**
 * Draws a crop like torchvision's RandomResizedCrop.get_params: up to 10 tries of area
 * fraction ~ U(scale) and log-uniform aspect ratio, then a centre crop clamped to the ratio range.
 */
export function sampleCrop(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): CropBox {
  const area = height * width;
  const logLow = Math.log(ratio[0]);
  const logHigh = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLow, logHigh));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * Resamples `box` of one NHWC image (at `srcOffset` in `src`) to the full height x width into
 * `dst` at `dstOffset`, bilinear with half-pixel centres (align_corners=False), mirrored when `flip`.
 */
export function resizeCrop(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  height: number,
  width: number,
  channels: number,
  box: CropBox,
  flip: boolean,
): void {
  const sy = box.height / height;
  const sx = box.width / width;
  for (let y = 0; y < height; y += 1) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), box.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, box.height - 1);
    const wy = fy - y0;
    const row0 = srcOffset + (box.top + y0) * width * channels;
    const row1 = srcOffset + (box.top + y1) * width * channels;
    for (let x = 0; x < width; x += 1) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), box.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, box.width - 1);
      const wx = fx - x0;
      const c0 = (box.left + x0) * channels;
      const c1 = (box.left + x1) * channels;
      const out = dstOffset + (y * width + (flip ? width - 1 - x : x)) * channels;
      for (let c = 0; c < channels; c += 1) {
        const top = (src[row0 + c0 + c] as number) * (1 - wx) + (src[row0 + c1 + c] as number) * wx;
        const bottom = (src[row1 + c0 + c] as number) * (1 - wx) + (src[row1 + c1 + c] as number) * wx;
        dst[out + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
}
