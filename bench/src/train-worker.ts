/**
 * Training-speed benchmark: samples/s of SSD local training steps (two augmented views per
 * image, forward + backward + SGD) on the best available TF.js backend.
 *
 *   npm run bench:train -- --model small --batch 128 --steps 3 [--width 0.25] [--backend auto|wasm|cpu] [--objective ssd|baseline]
 *
 * Prints one line per model: `RESULT model=<m> backend=<b> tfjs_sps=<x>`; compare with
 * `bench/reference/train_ref.py` run right after (the machine's speed drifts within an hour).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initBackend, type BackendPreference } from '@fedssd/tensor';
import { createModel, trainLocal, type LocalTrainConfig, type ModelKind, type ModelSpec } from '@fedssd/ssl';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'small' },
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    width: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    objective: { type: 'string', default: 'ssd' },
  },
});

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got ${text}`);
  return n;
}

function specFor(kind: ModelKind, width: number | undefined): ModelSpec {
  if (kind === 'small') return { kind, inputShape: [28, 28, 1], featureDim: 128 };
  const w = width ?? 1;
  return { kind, inputShape: [32, 32, 3], featureDim: Math.round(512 * w), width: w };
}

/** The SSD objective with paper weights and a seeded random orthogonal DSR basis. */
function objectiveFor(kind: string, d: number): { objective: LocalTrainConfig['objective']; basis?: tf.Tensor2D } {
  if (kind === 'baseline') return { objective: { uniformity: 1 } };
  if (kind !== 'ssd') throw new RangeError(`--objective must be ssd or baseline, got ${kind}`);
  const rng = createRng(42);
  const gaussian = Float32Array.from({ length: d * d }, () => rng.normal());
  const basis = tf.tidy(() => tf.linalg.qr(tf.tensor2d(gaussian, [d, d]))[0] as tf.Tensor2D);
  const m = Math.floor(d / 10);
  const slice = Array.from({ length: m }, (_, i) => i);
  return { objective: { uniformity: 1, dsr: { coeff: 1, target: { basis, slice, scale: 10 } }, pd: { coeff: 0.1, temperature: 0.5 } }, basis };
}

async function main(): Promise<void> {
  const batch = positiveInt('batch', args.batch);
  const steps = positiveInt('steps', args.steps);
  const warmup = Number(args.warmup ?? 1);
  const width = args.width === undefined ? undefined : Number(args.width);
  const kinds = (args.model ?? 'small').split(',') as ModelKind[];
  const info = await initBackend((args.backend ?? 'auto') as BackendPreference);
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
    const config = (epochs: number): LocalTrainConfig => ({ epochs, batchSize: batch, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, objective, seed: 3 });
    if (warmup > 0) await trainLocal(model, data, config(warmup));
    const result = await trainLocal(model, data, config(steps));
    const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
    console.log(
      `model=${kind} backend=${info.name} batch=${batch} steps=${result.steps} seconds=${result.seconds.toFixed(2)} ` +
        `loss=${result.loss.total.toFixed(4)} rss_mb=${rssMb}`,
    );
    console.log(`RESULT model=${kind} backend=${info.name} tfjs_sps=${result.samplesPerSecond.toFixed(2)}`);
    basis?.dispose();
    model.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
