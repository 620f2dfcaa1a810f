/**
 * One benchmark process: samples/s of SSD local training steps (two augmented views per
 * image, forward + backward + SGD) on the chosen TF.js backend. `train-bench.ts` runs it
 * alternately with the PyTorch reference; run it alone to try one configuration:
 *
 *   node --conditions=source --import tsx bench/src/train-worker.ts --model small --batch 128 --steps 3 [--width 0.25] [--backend auto|wasm|cpu]
 *        [--threads 2] [--parallel-min-elements N]
 *
 * Prints `RESULT model=<m> backend=<kind> tfjs_sps=<x> tfjs_rss_mb=<peak resident MB>`.
 */
import { createModel, trainLocal, type LocalTrainConfig, type ModelKind } from '@fedssd/ssl';
import { createRng } from '@fedssd/tensor';
import { parseArgs } from 'node:util';
import { initBenchBackend, objectiveFor, positiveInt, specFor } from './train-setup.js';
import { exitOnError } from './prerequisites.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'small' },
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    width: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    objective: { type: 'string', default: 'ssd' },
    threads: { type: 'string' },
    'parallel-min-elements': { type: 'string' },
  },
});

async function main(): Promise<void> {
  const batch = positiveInt('batch', args.batch);
  const steps = positiveInt('steps', args.steps);
  const warmup = Number(args.warmup ?? 1);
  const width = args.width === undefined ? undefined : Number(args.width);
  const kinds = (args.model ?? 'small').split(',') as ModelKind[];
  const info = await initBenchBackend(args.backend, args.threads, args['parallel-min-elements']);
  for (const note of info.notes) console.log(`note: ${note}`);
  for (const kind of kinds) {
    const spec = specFor(kind, width);
    const model = createModel(spec, 1);
    const [h, w, c] = spec.inputShape;
    const rng = createRng(7);
    const images = Float32Array.from({ length: batch * h * w * c }, () => rng.next());
    const data = { images, count: batch, shape: spec.inputShape };
    const { objective, basis } = objectiveFor(args.objective ?? 'ssd', spec.featureDim);
    // One epoch over exactly one batch = one step; warm-up steps compile kernels and grow wasm memory.
    const config = (epochs: number): LocalTrainConfig => ({
      epochs,
      batchSize: batch,
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 1e-4,
      objective,
      seed: 3,
    });
    if (warmup > 0) await trainLocal(model, data, config(warmup));
    const result = await trainLocal(model, data, config(steps));
    // Peak, not current: the benchmark compares the worst moment with PyTorch's ru_maxrss.
    const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(
      `model=${kind} backend=${info.kind} batch=${batch} steps=${result.steps} seconds=${result.seconds.toFixed(2)} ` +
        `loss=${result.loss.total.toFixed(4)} rss_mb=${rssMb}`,
    );
    console.log(`RESULT model=${kind} backend=${info.kind} tfjs_sps=${result.samplesPerSecond.toFixed(2)} tfjs_rss_mb=${rssMb}`);
    basis?.dispose();
    model.dispose();
  }
}

main().catch(exitOnError);
