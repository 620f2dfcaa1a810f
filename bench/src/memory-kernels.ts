/**
 * Memory-bound native kernels on the calling thread alone (spreading off: the policy before
 * issue 13) and spread over --threads, alternately in one process (the machine is shared, so
 * only the same-run ratio means anything): the training batch norm and its gradient, the relu
 * mask and a same-shape add, at ResNet-18 w=0.25 activation sizes (batch 128). The thread count
 * stays fixed, as in training: only the parallel threshold toggles.
 *
 *   node --conditions=source --import tsx bench/src/memory-kernels.ts [--threads 2] [--reps 20] [--min-elements 0]
 *
 * Prints per kernel and shape `KERNEL name=<k> rows=<r> c=<c> t1_ms=<a> tN_ms=<b> speedup=<a/b>`
 * (medians over --reps; helper_share = fraction of the spread tasks so far that helper threads ran);
 * --min-elements is the parallel threshold in force for the tN runs.
 */
import { loadNativeAddon } from '@fedssd/native';
import { parseArgs } from 'node:util';

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)] as number;
}

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    reps: { type: 'string', default: '20' },
    'min-elements': { type: 'string', default: '0' },
  },
});

const load = loadNativeAddon();
if (!load.ok) {
  console.error(`memory-kernels: ${load.reason} (npm run build:native)`);
  process.exit(2);
}
const { addon } = load;

function filled(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 1) out[i] = Math.sin(i * 0.37 + seed) * 2 + 0.1;
  return out;
}

type Kernel = (rows: number, c: number) => () => void;
const KERNELS: Record<string, Kernel> = {
  bnTrainRelu: (rows, c) => {
    const x = filled(rows * c, 1);
    const y = new Float32Array(rows * c);
    const [scale, offset, mean, variance] = [filled(c, 2), filled(c, 3), new Float32Array(c), new Float32Array(c)];
    return () => addon.batchNormTrain(c, 1e-5, true, x, scale, offset, y, mean, variance);
  },
  bnTrainGradRelu: (rows, c) => {
    const [x, dy, y, dx] = [filled(rows * c, 1), filled(rows * c, 4), filled(rows * c, 5), new Float32Array(rows * c)];
    const [mean, variance, scale, ds, dof] = [
      filled(c, 2),
      filled(c, 3).map(Math.abs),
      filled(c, 6),
      new Float32Array(c),
      new Float32Array(c),
    ];
    return () => addon.batchNormTrainGrad(c, 1e-5, dy, x, mean, variance, scale, y, dx, ds, dof);
  },
  reluGrad: (rows, c) => {
    const [dy, y, out] = [filled(rows * c, 1), filled(rows * c, 2), new Float32Array(rows * c)];
    return () => addon.binary(6, [rows * c], [1], [1], dy, y, out);
  },
  add: (rows, c) => {
    const [a, b, out] = [filled(rows * c, 1), filled(rows * c, 2), new Float32Array(rows * c)];
    return () => addon.binary(0, [rows * c], [1], [1], a, b, out);
  },
};

// ResNet-18 w=0.25, batch 128: the four stages' activations (rows = batch * h * w).
const SHAPES: Array<[number, number]> = [
  [128 * 32 * 32, 16],
  [128 * 16 * 16, 32],
  [128 * 8 * 8, 64],
  [128 * 4 * 4, 128],
];

const threads = Number(args.threads);
addon.setThreads(threads);
const reps = Number(args.reps);
const minElements = Number(args['min-elements']);
for (const [name, make] of Object.entries(KERNELS)) {
  for (const [rows, c] of SHAPES) {
    const run = make(rows, c);
    const t1: number[] = [];
    const tn: number[] = [];
    for (let i = 0; i < reps; i += 1) {
      for (const [threshold, sink] of [
        [Number.MAX_SAFE_INTEGER, t1],
        [minElements, tn],
      ] as const) {
        addon.setParallelMinElements(threshold);
        const start = performance.now();
        run();
        sink.push(performance.now() - start);
      }
    }
    const a = median(t1);
    const b = median(tn);
    const info = addon.info();
    const share = info.poolTasksHelpers / Math.max(1, info.poolTasksCaller + info.poolTasksHelpers);
    console.log(
      `KERNEL name=${name} rows=${rows} c=${c} t1_ms=${a.toFixed(2)} t${threads}_ms=${b.toFixed(2)} speedup=${(a / b).toFixed(2)} helper_share=${share.toFixed(2)}`,
    );
  }
}
