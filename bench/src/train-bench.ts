/**
 * Side-by-side training benchmark: TF.js (best backend, or --backend) and the PyTorch
 * reference (`bench/reference/train_ref.py`, same models, SSD loss, batch and thread count)
 * run alternately, `--rounds` times each, in separate processes. The machine is shared and
 * drifts, so each round's ratio is printed and the summary uses medians.
 *
 *   npm run bench:train -- [--models small,resnet18] [--rounds 3] [--batch 128] [--steps 3]
 *                          [--width 0.25] [--backend auto|wasm|cpu] [--threads 2] [--python /usr/bin/python3]
 *                          [--parallel-min-elements N] [--concurrent-gc]
 *
 * --parallel-min-elements goes to the native kernels (default: @fedssd/native's); a value above
 * any tensor size, e.g. 9007199254740991, keeps the memory-bound kernels single-threaded as
 * before issue 13, for a before/after comparison from one build. --concurrent-gc starts the TF.js
 * worker without `--single-threaded-gc` (V8's GC helper threads on), as before that flag was added.
 *
 * Per model: `RESULT model=<m> backend=<kind> tfjs_sps=<x> torch_sps=<y> ratio=<x/y> tfjs_rss_mb=<a> torch_rss_mb=<b>`
 * (sps = median samples/s; rss = largest peak resident set of any round).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TRAINING_NODE_FLAGS } from '@fedssd/tensor';
import { exitOnError, requireNativeForAuto, requirePythonModules } from './prerequisites.js';
import { runSideBySide } from './side-by-side.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'small,resnet18' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '3' },
    width: { type: 'string', default: '0.25' },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'parallel-min-elements': { type: 'string' },
    'concurrent-gc': { type: 'boolean', default: false },
  },
});

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

async function benchModel(model: string, rounds: number): Promise<void> {
  const common = ['--model', model, '--batch', args.batch, '--steps', args.steps, '--width', args.width, '--threads', args.threads];
  console.log(
    await runSideBySide({
      label: `model=${model}`,
      rounds,
      tfjs: {
        command: process.execPath,
        args: [
          // Launched as the trainer is deployed (libs/tensor/src/gc-threads.ts).
          ...(args['concurrent-gc'] ? [] : TRAINING_NODE_FLAGS),
          '--conditions=source',
          '--import',
          'tsx',
          here('./train-worker.ts'),
          ...common,
          '--backend',
          args.backend,
          ...(args['parallel-min-elements'] === undefined ? [] : ['--parallel-min-elements', args['parallel-min-elements']]),
        ],
      },
      torch: { command: args.python, args: [here('../reference/train_ref.py'), ...common] },
    }),
  );
}

async function main(): Promise<void> {
  const rounds = Number(args.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${args.rounds}`);
  requirePythonModules(args.python, ['torch']);
  requireNativeForAuto(args.backend);
  console.log(
    `bench: width=${args.width} (resnet18 only) batch=${args.batch} steps=${args.steps} threads=${args.threads} backend=${args.backend}` +
      ` parallel_min_elements=${args['parallel-min-elements'] ?? 'default'} gc=${args['concurrent-gc'] ? 'concurrent' : 'single-threaded'}`,
  );
  for (const model of args.models.split(',')) await benchModel(model, rounds);
}

main().catch(exitOnError);
