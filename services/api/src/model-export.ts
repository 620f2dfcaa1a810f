import type { RunConfig } from '@fedssd/protocol';
import type { ExportedModel, ModelExporter } from './ports.js';

type ExportEncoder = (spec: unknown, weights: unknown) => ExportedModel;

/**
 * Image shape a run's model was built for. The data readers decide it at training time; the api
 * has no data, so it uses each data set's fixed shape (synthetic data defaults to 28x28x1 like
 * Fashion-MNIST). Replace with the spec stored alongside the model once the aggregator stores it.
 */
export function imageShapeOf(config: Pick<RunConfig, 'dataset'>): [number, number, number] {
  return config.dataset === 'cifar10' ? [32, 32, 3] : [28, 28, 1];
}

/**
 * The TensorFlow.js exporter when this build has one: `exportEncoder(spec, weights)` from
 * @fedssd/ssl, fed with the run's model spec and the decoded global model. Resolves to undefined
 * (the model routes answer 501) while @fedssd/ssl does not export it. Loaded lazily because it
 * pulls in TensorFlow.js, which the rest of the api does not need.
 */
export async function loadModelExporter(): Promise<ModelExporter | undefined> {
  const ssl = (await import('@fedssd/ssl')) as unknown as { exportEncoder?: ExportEncoder };
  const exportEncoder = ssl.exportEncoder;
  if (typeof exportEncoder !== 'function') return undefined;
  const [{ decodeWeights }, { modelSpecFor }] = await Promise.all([import('@fedssd/tensor'), import('@fedssd/engine')]);
  return (config, bytes) => exportEncoder(modelSpecFor(config, imageShapeOf(config)), decodeWeights(bytes));
}
