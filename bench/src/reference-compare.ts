/**
 * `npm run bench:reference-compare -- [--rounds N --images N --method M --seed S --model P --noise-seeds N]`
 *
 * Runs `fedssd simulate` and the PyTorch reference (bench/reference/federated_ssd.py) with the same
 * config, one process at a time, at seeds S .. S+noise-seeds, and prints the per-round side-by-side
 * table for seed S and a verdict of the final metrics against the seed-to-seed spread. Reports go
 * to --out-dir (default reports/reference-compare). Local only: no credentials, no network.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TRAINING_NODE_FLAGS } from '@fedssd/tensor';
import { METRICS, sideBySide, verdict, type Metric, type RoundRow } from './compare-table.js';

// Debian's python3-torch lives under /usr/bin/python3 (a pyenv python3 first on PATH has no torch); override for another install.
const PYTHON = process.env.FEDSSD_TORCH_PYTHON ?? '/usr/bin/python3';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function intFlag(values: Record<string, string | boolean | undefined>, name: string, fallback: number, low: number, high: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < low || n > high) fail(`--${name}: must be an integer in [${low}, ${high}] (got ${String(raw)})`);
  return n;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 2 ** 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve();
    });
  });
}

interface Report {
  rounds: RoundRow[];
}

function finalMetrics(report: Report): Record<Metric, number> {
  const evaluated = report.rounds.filter((r) => r.knnAccuracy != null);
  const last = evaluated[evaluated.length - 1];
  return Object.fromEntries(METRICS.map((m) => [m, Number(last?.[m] ?? NaN)])) as Record<Metric, number>;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: Object.fromEntries(
        ['rounds', 'images', 'method', 'seed', 'model', 'noise-seeds', 'local-epochs', 'out-dir', 'backend'].map((k) => [
          k,
          { type: 'string' },
        ]),
      ),
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}`);
  }
  const rounds = intFlag(values, 'rounds', 6, 1, 1000);
  const images = intFlag(values, 'images', 3000, 640, 60000);
  const seed = intFlag(values, 'seed', 1, 0, 2 ** 31 - 2);
  const noiseSeeds = intFlag(values, 'noise-seeds', 1, 0, 5);
  const localEpochs = intFlag(values, 'local-epochs', 1, 1, 100);
  const method = String(values.method ?? 'ssd');
  if (!['baseline', 'dsr', 'pd', 'ssd'].includes(method)) fail(`--method: must be one of baseline, dsr, pd, ssd (got ${method})`);
  const model = String(values.model ?? 'small');
  if (!['small', 'small-signed'].includes(model)) fail(`--model: must be small or small-signed (got ${model})`);
  const backend = String(values.backend ?? 'auto');
  const outDir = String(values['out-dir'] ?? 'reports/reference-compare');
  if (spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    fail(`PyTorch not found for ${PYTHON}: apt-get install python3-torch`);
  }
  mkdirSync(outDir, { recursive: true });
  const common = { rounds, images, method, model, localEpochs };
  const seeds = Array.from({ length: noiseSeeds + 1 }, (_, i) => seed + i);
  const ours: Report[] = [];
  const ref: Report[] = [];
  const started = Date.now();
  for (const s of seeds) {
    const tag = `${method}-${model}-n${images}-r${rounds}-e${localEpochs}-seed${s}`;
    const oursPath = join(outDir, `ours-${tag}.json`);
    const refPath = join(outDir, `ref-${tag}.json`);
    process.stdout.write(`[${((Date.now() - started) / 60000).toFixed(1)} min] ours, seed ${s}...\n`);
    await run(process.execPath, [
      ...TRAINING_NODE_FLAGS,
      'services/cli/bin/fedssd.js',
      'simulate',
      ...['--dataset', 'fashion-mnist', '--clients', '10', '--alpha', '0.1', '--batch-size', '64', '--lr', '0.1'],
      ...[
        '--train-limit',
        String(common.images),
        '--test-limit',
        '2000',
        '--rounds',
        String(rounds),
        '--local-epochs',
        String(localEpochs),
      ],
      ...['--eval-every', '1', '--probe-epochs', '0', '--method', method, '--model', model, '--seed', String(s)],
      ...['--backend', backend, '--quiet', '--out', oursPath, '--save-model', oursPath.replace(/\.json$/, '.model.json')],
    ]);
    process.stdout.write(`[${((Date.now() - started) / 60000).toFixed(1)} min] PyTorch reference, seed ${s}...\n`);
    await run(PYTHON, [
      'bench/reference/federated_ssd.py',
      ...['--images', String(images), '--test-limit', '2000', '--rounds', String(rounds), '--local-epochs', String(localEpochs)],
      ...['--method', method, '--model', model, '--seed', String(s), '--out', refPath],
    ]);
    ours.push(JSON.parse(readFileSync(oursPath, 'utf8')) as Report);
    ref.push(JSON.parse(readFileSync(refPath, 'utf8')) as Report);
  }
  const first = { ours: ours[0] as Report, ref: ref[0] as Report };
  process.stdout.write(
    `\nFashion-MNIST, ${images} images, K 10, alpha 0.1, batch 64, ${rounds} rounds x ${localEpochs} epoch(s), ${method}, ${model}, seed ${seed}` +
      ` (U = uniformity loss term; unif = -U metric of h)\n\n${sideBySide(first.ours.rounds, first.ref.rounds)}\n\n`,
  );
  const lines = verdict(ours.map(finalMetrics), ref.map(finalMetrics));
  process.stdout.write(
    `Final round, mean over seeds ${seeds.join(', ')} (noise: mean |seed ${seed} - seed ${seed + 1}| of each framework)\n\n`,
  );
  process.stdout.write('| metric | ours | reference | seed noise | verdict |\n| --- | --- | --- | --- | --- |\n');
  for (const l of lines) {
    const v = Number.isFinite(l.noise)
      ? l.ok
        ? 'match (|diff| <= 2 x noise)'
        : 'DIFFERS (> 2 x noise)'
      : 'no noise estimate (--noise-seeds 0)';
    process.stdout.write(`| ${l.metric} | ${l.ours.toFixed(4)} | ${l.ref.toFixed(4)} | ${l.noise.toFixed(4)} | ${v} |\n`);
  }
  process.stdout.write(`\ntotal ${((Date.now() - started) / 60000).toFixed(1)} min; reports in ${outDir}\n`);
}

main().catch((error: unknown) => fail(`reference-compare: ${(error as Error).message}`));
