/**
 * One benchmark process: samples/s of forward-only feature extraction (what kNN and the linear
 * probe run: encoder h and unit projector z, BatchNorm on running statistics, no gradient) with
 * `extractFeatures` of @fedssd/engine on the chosen TF.js backend.
 *
 *   node --conditions=source --import tsx bench/src/extract-worker.ts --model small --images 2048 --batch 256 [--width 0.25] [--backend auto] [--threads 1]
 *
 * Prints `RESULT model=<m> backend=<kind> tfjs_sps=<x> tfjs_rss_mb=<peak resident MB>`.
 */
import { parseArgs } from 'node:util';
import { extractFeatures } from '@fedssd/engine';
import { createModel, type ModelKind } from '@fedssd/ssl';
import { createRng } from '@fedssd/tensor';
import { initBenchBackend, positiveInt, specFor } from './train-setup.js';
import { exitOnError } from './prerequisites.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'small' },
    images: { type: 'string', default: '2048' },
    batch: { type: 'string', default: '256' },
    repeats: { type: 'string', default: '2' },
    width: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const count = positiveInt('images', args.images);
  const batch = positiveInt('batch', args.batch);
  const repeats = positiveInt('repeats', args.repeats);
  const info = await initBenchBackend(args.backend, args.threads);
  const kind = (args.model ?? 'small') as ModelKind;
  const spec = specFor(kind, args.width === undefined ? undefined : Number(args.width));
  const model = createModel(spec, 1);
  const [h, w, c] = spec.inputShape;
  const rng = createRng(7);
  const shard = { images: Float32Array.from({ length: count * h * w * c }, () => rng.next()), count, shape: spec.inputShape };
  // Warm-up: one batch compiles kernels and grows pools; then `repeats` full passes are timed.
  extractFeatures(model, { ...shard, count: Math.min(batch, count) }, batch).dispose();
  const started = performance.now();
  for (let r = 0; r < repeats; r += 1) {
    const features = extractFeatures(model, shard, batch);
    await features.z.data(); // the caller reads the features; make sure all work is done
    features.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`RESULT model=${kind} backend=${info.kind} tfjs_sps=${((count * repeats) / seconds).toFixed(2)} tfjs_rss_mb=${rssMb}`);
  model.dispose();
}

main().catch(exitOnError);
