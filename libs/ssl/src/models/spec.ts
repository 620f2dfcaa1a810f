/** Model specifications and their validation. */

/**
 * 'small-signed' is 'small' without the last block's ReLU: h = avgpool(BN(conv)) takes both signs, so
 * features are not confined to one orthant (docs/RESULTS.md, "Why so collapsed?").
 */
export type ModelKind = 'small' | 'small-signed' | 'resnet18';

/** True for the two small-CNN presets (28x28-style inputs, d = 128). */
export function isSmallKind(kind: ModelKind): boolean {
  return kind === 'small' || kind === 'small-signed';
}

/** What to build. */
export interface ModelSpec {
  readonly kind: ModelKind;
  /** Input image shape [height, width, channels], NHWC. */
  readonly inputShape: readonly [number, number, number];
  /** d = dim(h) = dim(zt): encoder output and projector output width (PD needs them equal). */
  readonly featureDim: number;
  /**
   * Channel multiplier for resnet18 (default 1: 64/128/256/512 channels, d = 512); e.g. 0.25
   * gives 16/32/64/128 and d = 128. Ignored by the small presets.
   */
  readonly width?: number;
}

/** Default specs: the paper's CIFAR ResNet-18 and the CPU preset for 28x28 grayscale data. */
export function defaultSpec(kind: ModelKind): ModelSpec {
  if (isSmallKind(kind)) return { kind, inputShape: [28, 28, 1], featureDim: 128 };
  if (kind === 'resnet18') return { kind, inputShape: [32, 32, 3], featureDim: 512, width: 1 };
  throw new RangeError(`model kind must be 'small', 'small-signed' or 'resnet18', got ${String(kind)}`);
}

/** Checks a spec and fills defaults; throws naming the bad field. */
export function resolveSpec(input: ModelSpec | ModelKind): ModelSpec {
  const spec = typeof input === 'string' ? defaultSpec(input) : input;
  if (spec.kind !== 'small' && spec.kind !== 'small-signed' && spec.kind !== 'resnet18') {
    throw new RangeError(`spec.kind must be 'small', 'small-signed' or 'resnet18', got ${String(spec.kind)}`);
  }
  const shape = spec.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`spec.inputShape must be [h, w, c] of positive integers, got ${JSON.stringify(shape)}`);
  }
  if (shape[0] < 4 || shape[1] < 4) throw new RangeError(`spec.inputShape height and width must be >= 4, got ${shape[0]}x${shape[1]}`);
  const width = spec.width ?? 1;
  if (!(width > 0 && width <= 4)) throw new RangeError(`spec.width must be in (0, 4], got ${width}`);
  const expected = isSmallKind(spec.kind) ? 128 : Math.max(1, Math.round(512 * width));
  if (spec.featureDim !== expected) {
    throw new RangeError(
      `spec.featureDim must equal the encoder output width ${expected} for ${spec.kind} (width ${width}), got ${spec.featureDim}`,
    );
  }
  return { kind: spec.kind, inputShape: [shape[0], shape[1], shape[2]], featureDim: spec.featureDim, width };
}
