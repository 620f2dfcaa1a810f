import { loadDataset } from '@fedssd/data/node';
import { simulateRun } from '@fedssd/runtime';
import { RunConfigSchema, type RunConfigInput } from '@fedssd/protocol';
import { encodeWeights, initBackend } from '@fedssd/tensor';

/**
 * The tiny run every fault test uses: 3 clients x 50 synthetic images, batch 32, two rounds,
 * everyone every round; evaluation only at the end (evalEvery) to keep rounds short.
 */
export const TINY_RUN = {
  clients: 3,
  rounds: 2,
  trainLimit: 150,
  batchSize: 32,
  alpha: 100,
  localEpochs: 1,
  seed: 11,
  autoAdvance: true,
  evalEvery: 100,
} satisfies RunConfigInput;

/**
 * The final global model bytes of `config` computed in this process with `simulateRun` on the
 * wasm backend (what the services use), exactly as the e2e test does; the services' result must
 * equal it byte for byte.
 */
export async function referenceModel(input: RunConfigInput): Promise<Buffer> {
  const config = RunConfigSchema.parse(input);
  await initBackend('wasm');
  const train = await loadDataset({ name: config.dataset, split: 'train', limit: config.trainLimit, seed: config.seed });
  const test = await loadDataset({ name: config.dataset, split: 'test', limit: 20, seed: config.seed });
  const { weights } = await simulateRun(config, { train, test }, { backend: 'wasm', probeEpochs: 0 });
  return Buffer.from(encodeWeights(weights));
}
