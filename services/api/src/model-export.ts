import type { ModelExporter } from './ports.js';

/**
 * The TensorFlow.js exporter: decodes a stored global model (weight codec of @fedssd/tensor) and
 * hands it with the run's stored model spec to `exportEncoder` of @fedssd/ssl. Both are imported
 * on the first export, not at start-up: TensorFlow.js takes seconds to load and an api that never
 * exports never needs it. A failed import is retried on the next export (it answers 500 meanwhile).
 */
export function createModelExporter(): ModelExporter {
  let loading: Promise<ModelExporter> | undefined;
  const load = async (): Promise<ModelExporter> => {
    const [{ exportEncoder }, { decodeWeights }] = await Promise.all([import('@fedssd/ssl'), import('@fedssd/tensor')]);
    return (spec, bytes) => exportEncoder(spec, decodeWeights(bytes));
  };
  return async (spec, bytes) => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return (await loading)(spec, bytes);
  };
}
