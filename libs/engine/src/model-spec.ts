import type { RunConfig } from '@fedssd/protocol';
import { resolveSpec, type ModelSpec } from '@fedssd/ssl';

/** The model spec a run trains: the configured preset on the data set's image shape. */
export function modelSpecFor(config: Pick<RunConfig, 'model' | 'modelWidth'>, imageShape: readonly [number, number, number]): ModelSpec {
  const inputShape: [number, number, number] = [imageShape[0], imageShape[1], imageShape[2]];
  if (config.model === 'small' || config.model === 'small-signed') return resolveSpec({ kind: config.model, inputShape, featureDim: 128 });
  const width = config.modelWidth ?? 1;
  return resolveSpec({ kind: 'resnet18', inputShape, featureDim: Math.max(1, Math.round(512 * width)), width });
}
