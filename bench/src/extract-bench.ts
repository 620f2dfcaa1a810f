/**
 * Side-by-side forward-only feature extraction (what kNN and the linear probe run): TF.js
 * (`extract-worker.ts`, best backend or --backend) and PyTorch (`bench/reference/extract_ref.py`,
 * same models, eval mode, no gradient), alternately, `--rounds` times each.
 *
 *   npm run bench:extract -- [--models small,resnet18] [--rounds 3] [--images 2048] [--batch 256]
 *                            [--width 0.25] [--backend auto] [--threads 1] [--python /usr/bin/python3]
 *
 * Per model: `RESULT mode=extract model=<m> backend=<kind> tfjs_sps=<x> torch_sps=<y> ratio=<x/y> tfjs_rss_mb=<a> torch_rss_mb=<b>`.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exitOnError, requireNativeForAuto, requirePythonModules } from './prerequisites.js';
import { runSideBySide } from './side-by-side.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'small,resnet18' },
    rounds: { type: 'string', default: '3' },
    images: { type: 'string', default: '2048' },
    batch: { type: 'string', default: '256' },
    width: { type: 'string', default: '0.25' },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '1' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

async function main(): Promise<void> {
  const rounds = Number(args.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${args.rounds}`);
  requirePythonModules(args.python, ['torch']);
  requireNativeForAuto(args.backend);
  console.log(
    `bench: extract images=${args.images} batch=${args.batch} width=${args.width} (resnet18 only) threads=${args.threads} backend=${args.backend}`,
  );
  for (const model of args.models.split(',')) {
    const common = ['--model', model, '--images', args.images, '--batch', args.batch, '--width', args.width, '--threads', args.threads];
    console.log(
      await runSideBySide({
        label: `mode=extract model=${model}`,
        rounds,
        tfjs: {
          command: process.execPath,
          args: ['--conditions=source', '--import', 'tsx', here('./extract-worker.ts'), ...common, '--backend', args.backend],
        },
        torch: { command: args.python, args: [here('../reference/extract_ref.py'), ...common] },
      }),
    );
  }
}

main().catch(exitOnError);
