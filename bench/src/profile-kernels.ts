/**
 * Per-kernel time profile of one SSD training step (or, with `--mode extract`, one forward-only
 * feature extraction of `--batch` images as bench:extract runs it) on the selected backend:
 * wraps every kernel registered for it with a timer. Diagnostic only (adds a little overhead per call).
 *
 *   node --conditions=source --import tsx bench/src/profile-kernels.ts --model small --backend auto --batch 128 [--mode extract]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { extractFeatures } from '@fedssd/engine';
import { createRng, initBackend, type BackendPreference } from '@fedssd/tensor';
import { createModel, trainLocal, type ModelKind } from '@fedssd/ssl';
import { parseArgs } from 'node:util';
import { kernelStats, poolStats, registerNativeCpuKernels } from '@fedssd/native';
import { objectiveFor, specFor } from './train-setup.js';
import { exitOnError } from './prerequisites.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'small' },
    batch: { type: 'string', default: '128' },
    width: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    top: { type: 'string', default: '25' },
    'by-shape': { type: 'boolean', default: false },
    threads: { type: 'string' },
    mode: { type: 'string', default: 'train' },
  },
});

function wrapKernels(backendName: string): Map<string, { ms: number; calls: number }> {
  const stats = new Map<string, { ms: number; calls: number }>();
  for (const config of tf.getKernelsForBackend(backendName)) {
    const inner = config.kernelFunc;
    const timed = ((a: Parameters<KernelFunc>[0]) => {
      const start = performance.now();
      const out = inner(a);
      const took = performance.now() - start;
      // --by-shape splits each kernel's time by its input dtypes and shapes.
      const key = args['by-shape']
        ? `${config.kernelName} ${Object.values(a.inputs)
            .map((t) => `${t?.dtype}[${t?.shape.join(',')}]`)
            .join(' ')}`
        : config.kernelName;
      const s = stats.get(key) ?? { ms: 0, calls: 0 };
      s.ms += took;
      s.calls += 1;
      stats.set(key, s);
      return out;
    }) as KernelFunc;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc: timed });
  }
  return stats;
}

async function main(): Promise<void> {
  const info = await initBackend((args.backend ?? 'auto') as BackendPreference);
  if (args.threads !== undefined && info.kind === 'cpu-native') registerNativeCpuKernels({ threads: Number(args.threads) });
  const kind = (args.model ?? 'small') as ModelKind;
  const batch = Number(args.batch);
  const spec = specFor(kind, args.width === undefined ? undefined : Number(args.width));
  const model = createModel(spec, 1);
  const [h, w, c] = spec.inputShape;
  const rng = createRng(7);
  const data = { images: Float32Array.from({ length: batch * h * w * c }, () => rng.next()), count: batch, shape: spec.inputShape };
  const { objective, basis } = objectiveFor('ssd', spec.featureDim);
  const config = { epochs: 1, batchSize: batch, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, objective, seed: 3 };
  const extract = async (): Promise<{ seconds: number }> => {
    const started = performance.now();
    const features = extractFeatures(model, data, batch);
    await features.z.data();
    features.dispose();
    return { seconds: (performance.now() - started) / 1000 };
  };
  const step = args.mode === 'extract' ? extract : () => trainLocal(model, data, config);
  await step();
  const stats = wrapKernels(info.name);
  const faults0 = process.resourceUsage().minorPageFault;
  const result = await step();
  const faults = process.resourceUsage().minorPageFault - faults0;
  const total = [...stats.values()].reduce((p, s) => p + s.ms, 0);
  console.log(
    `backend=${info.kind} step_seconds=${result.seconds.toFixed(2)} kernel_seconds=${(total / 1000).toFixed(2)} minor_page_faults=${faults}`,
  );
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(args.top));
  for (const [name, s] of rows)
    console.log(`${name.padEnd(args['by-shape'] ? 70 : 28)} ${s.ms.toFixed(0).padStart(7)} ms ${String(s.calls).padStart(5)} calls`);
  for (const [name, s] of kernelStats) if (s.fallback > 0) console.log(`fallback ${name}: ${s.fallback} of ${s.native + s.fallback}`);
  // Whole run (warm-up included): outputs served from released buffers vs new allocations.
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
  console.log(
    `output buffers: reused=${poolStats.reused} fresh=${poolStats.fresh} dropped=${poolStats.dropped}` +
      ` free_mb=${mb(poolStats.freeBytes)} live_mb=${mb(poolStats.liveBytes)} peak_live_mb=${mb(poolStats.peakLiveBytes)}`,
  );
  basis?.dispose();
  model.dispose();
}

main().catch(exitOnError);
