/** Augmentation policies (docs/METHOD.md §6, "The two views"), as named presets or explicit parameters. */

export type AugmentPolicyName = 'cifar' | 'grayscale28';

/** Explicit parameters of the SimCLR-style pipeline: crop, flip, colour jitter, grayscale. */
export interface AugmentParams {
  /** Random resized crop area fraction range, e.g. [0.08, 1]. */
  readonly cropScale: readonly [number, number];
  /** Crop aspect-ratio (w/h) range, e.g. [3/4, 4/3]. */
  readonly cropRatio: readonly [number, number];
  /** Probability of a horizontal flip. */
  readonly flipProb: number;
  /** Probability of applying the colour jitter at all. */
  readonly jitterProb: number;
  /** Jitter strengths: factors drawn from [max(0, 1 - s), 1 + s]; hue shift from [-hue, hue] (turns, <= 0.5). */
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;
  /** Probability of converting to grayscale (3-channel images only). */
  readonly grayscaleProb: number;
}

export type AugmentPolicy = AugmentPolicyName | AugmentParams;

const PRESETS: Record<AugmentPolicyName, AugmentParams> = {
  cifar: {
    cropScale: [0.08, 1],
    cropRatio: [3 / 4, 4 / 3],
    flipProb: 0.5,
    jitterProb: 0.8,
    brightness: 0.8,
    contrast: 0.8,
    saturation: 0.8,
    hue: 0.2,
    grayscaleProb: 0.2,
  },
  grayscale28: {
    cropScale: [0.3, 1],
    cropRatio: [3 / 4, 4 / 3],
    flipProb: 0.5,
    jitterProb: 0.8,
    brightness: 0.4,
    contrast: 0.4,
    saturation: 0,
    hue: 0,
    grayscaleProb: 0,
  },
};

/** 'cifar' for colour images, 'grayscale28' for one channel. */
export function defaultPolicyFor(channels: number): AugmentPolicyName {
  return channels === 1 ? 'grayscale28' : 'cifar';
}

function checkRange(name: string, value: number, low: number, high: number): void {
  if (!(value >= low && value <= high)) throw new RangeError(`augment policy ${name} must be in [${low}, ${high}], got ${value}`);
}

/** Resolves a preset name and validates every field. */
export function resolvePolicy(policy: AugmentPolicy): AugmentParams {
  if (typeof policy === 'string') {
    const preset = PRESETS[policy];
    if (!preset) throw new RangeError(`augment policy must be 'cifar', 'grayscale28' or explicit params, got ${String(policy)}`);
    return preset;
  }
  const [s0, s1] = policy.cropScale;
  checkRange('cropScale[0]', s0, 1e-4, 1);
  checkRange('cropScale[1]', s1, s0, 1);
  const [r0, r1] = policy.cropRatio;
  checkRange('cropRatio[0]', r0, 0.05, 20);
  checkRange('cropRatio[1]', r1, r0, 20);
  checkRange('flipProb', policy.flipProb, 0, 1);
  checkRange('jitterProb', policy.jitterProb, 0, 1);
  checkRange('brightness', policy.brightness, 0, 10);
  checkRange('contrast', policy.contrast, 0, 10);
  checkRange('saturation', policy.saturation, 0, 10);
  checkRange('hue', policy.hue, 0, 0.5);
  checkRange('grayscaleProb', policy.grayscaleProb, 0, 1);
  return policy;
}
