/**
 * Side-by-side training benchmark: TF.js (best backend, or --backend) and the PyTorch
 * reference (`bench/reference/train_ref.py`, same models, SSD loss, batch and thread count)
 * run alternately, `--rounds` times each, in separate processes. The machine is shared and
 * drifts, so each round's ratio is printed and the summary uses medians.
 *
 *   npm run bench:train -- [--models small,resnet18] [--rounds 3] [--batch 128] [--steps 3]
 *                          [--width 0.25] [--backend auto|wasm|cpu] [--threads 2] [--python /usr/bin/python3]
 *
 * Per model: `RESULT model=<m> backend=<kind> tfjs_sps=<x> torch_sps=<y> ratio=<x/y> tfjs_rss_mb=<a> torch_rss_mb=<b>`
 * (sps = median samples/s; rss = largest peak resident set of any round).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, runForResults, type ResultLine } from './run-process.js';

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
  },
});

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

function first(lines: ResultLine[], key: string, who: string): number {
  const value = Number(lines[0]?.[key]);
  if (!Number.isFinite(value)) throw new Error(`${who} printed no RESULT ${key}`);
  return value;
}

async function benchModel(model: string, rounds: number): Promise<void> {
  const common = ['--model', model, '--batch', args.batch, '--steps', args.steps, '--width', args.width];
  const tfjs = (): Promise<ResultLine[]> =>
    runForResults(process.execPath, ['--conditions=source', '--import', 'tsx', here('./train-worker.ts'), ...common, '--backend', args.backend, '--threads', args.threads]);
  const torch = (): Promise<ResultLine[]> =>
    runForResults(args.python, [here('../reference/train_ref.py'), ...common, '--threads', args.threads]);
  const tf: number[] = [];
  const pt: number[] = [];
  let tfRss = 0;
  let ptRss = 0;
  const backends = new Set<string>();
  for (let r = 0; r < rounds; r += 1) {
    // Alternate who goes first so a drifting machine does not favour one side.
    const order = r % 2 === 0 ? [tfjs, torch] : [torch, tfjs];
    const results: ResultLine[][] = [];
    for (const run of order) results.push(await run());
    const [tfLines, ptLines] = r % 2 === 0 ? results : [results[1], results[0]];
    tf.push(first(tfLines ?? [], 'tfjs_sps', 'tfjs'));
    pt.push(first(ptLines ?? [], 'torch_sps', 'torch'));
    tfRss = Math.max(tfRss, first(tfLines ?? [], 'tfjs_rss_mb', 'tfjs'));
    ptRss = Math.max(ptRss, first(ptLines ?? [], 'torch_rss_mb', 'torch'));
    const backend = tfLines?.[0]?.['backend'] ?? '?';
    backends.add(backend);
    const ratio = (tf[r] as number) / (pt[r] as number);
    console.log(`round ${r + 1}/${rounds} model=${model} backend=${backend} tfjs_sps=${tf[r]} torch_sps=${pt[r]} ratio=${ratio.toFixed(3)}`);
  }
  // A round that fell back to another backend (e.g. the addon was being rebuilt) is not comparable.
  const backend = backends.size === 1 ? [...backends].join('') : `mixed(${[...backends].join('+')})`;
  const tfMed = median(tf);
  const ptMed = median(pt);
  console.log(
    `RESULT model=${model} backend=${backend} tfjs_sps=${tfMed.toFixed(2)} torch_sps=${ptMed.toFixed(2)} ` +
      `ratio=${(tfMed / ptMed).toFixed(3)} tfjs_rss_mb=${tfRss} torch_rss_mb=${ptRss}`,
  );
}

async function main(): Promise<void> {
  const rounds = Number(args.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${args.rounds}`);
  console.log(`bench: width=${args.width} (resnet18 only) batch=${args.batch} steps=${args.steps} threads=${args.threads} backend=${args.backend}`);
  for (const model of args.models.split(',')) await benchModel(model, rounds);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
