import type { RunConfig } from '@fedssd/protocol';
import { ApiError } from './errors.js';
import type { ModelExporter } from './ports.js';

/** Why the model routes answer 501. */
export const NO_EXPORTER_MESSAGE = 'model export is not available yet: @fedssd/ssl does not export exportEncoder in this build';

/**
 * Image shape a run's model was built for. The data readers decide it at training time; the api
 * has no data, so it uses each data set's fixed shape (synthetic data defaults to 28x28x1 like
 * Fashion-MNIST). Replace with the spec stored alongside the model once the aggregator stores it.
 */
export function imageShapeOf(config: Pick<RunConfig, 'dataset'>): [number, number, number] {
  return config.dataset === 'cifar10' ? [32, 32, 3] : [28, 28, 1];
}

/**
 * The TensorFlow.js exporter: decodes the stored global model (weight codec of @fedssd/tensor)
 * and hands it with the run's model spec to `exportEncoder` of @fedssd/ssl. Resolves to
 * undefined (the model routes answer 501) in a build whose @fedssd/ssl lacks `exportEncoder`.
 * Loaded lazily because it pulls in TensorFlow.js, which the rest of the api does not need.
 */
export async function loadModelExporter(): Promise<ModelExporter | undefined> {
  const ssl = await import('@fedssd/ssl');
  const exportEncoder = (ssl as Partial<typeof ssl>).exportEncoder;
  if (typeof exportEncoder !== 'function') return undefined;
  const [{ decodeWeights }, { modelSpecFor }] = await Promise.all([import('@fedssd/tensor'), import('@fedssd/engine')]);
  return (config, bytes) => exportEncoder(modelSpecFor(config, imageShapeOf(config)), decodeWeights(bytes));
}

/**
 * A {@link ModelExporter} that loads the real one on first use, so start-up does not wait for
 * TensorFlow.js to load (seconds) and an api that never exports never loads it. In a build
 * without `exportEncoder` every call fails with 501 NOT_IMPLEMENTED.
 */
export function lazyModelExporter(load: () => Promise<ModelExporter | undefined> = loadModelExporter): ModelExporter {
  let loading: Promise<ModelExporter | undefined> | undefined;
  return async (config, bytes) => {
    loading ??= load();
    const exporter = await loading;
    if (exporter === undefined) throw new ApiError('NOT_IMPLEMENTED', NO_EXPORTER_MESSAGE);
    return exporter(config, bytes);
  };
}
