import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RunConfigSchema, type RunConfig } from '@fedssd/protocol';
import { UserError } from './user-error.js';

/** Command-line flag -> run-config path. The config schema is the one source of truth for ranges. */
const FLAGS: ReadonlyArray<{ flag: string; path: string; kind: 'string' | 'int' | 'number' }> = [
  { flag: 'method', path: 'method', kind: 'string' },
  { flag: 'dataset', path: 'dataset', kind: 'string' },
  { flag: 'data-dir', path: 'dataDir', kind: 'string' },
  { flag: 'model', path: 'model', kind: 'string' },
  { flag: 'model-width', path: 'modelWidth', kind: 'number' },
  { flag: 'clients', path: 'clients', kind: 'int' },
  { flag: 'alpha', path: 'alpha', kind: 'number' },
  { flag: 'participation', path: 'participation', kind: 'number' },
  { flag: 'rounds', path: 'rounds', kind: 'int' },
  { flag: 'local-epochs', path: 'localEpochs', kind: 'int' },
  { flag: 'batch-size', path: 'batchSize', kind: 'int' },
  { flag: 'lr', path: 'lr', kind: 'number' },
  { flag: 'momentum', path: 'momentum', kind: 'number' },
  { flag: 'weight-decay', path: 'weightDecay', kind: 'number' },
  { flag: 'seed', path: 'seed', kind: 'int' },
  { flag: 'train-limit', path: 'trainLimit', kind: 'int' },
  { flag: 'uniformity', path: 'uniformity', kind: 'number' },
  { flag: 'dsr-coeff', path: 'dsr.coeff', kind: 'number' },
  { flag: 'dsr-scale', path: 'dsr.scale', kind: 'number' },
  { flag: 'slice-size', path: 'dsr.sliceSize', kind: 'int' },
  { flag: 'dsr-form', path: 'dsr.form', kind: 'string' },
  { flag: 'pd-coeff', path: 'pd.coeff', kind: 'number' },
  { flag: 'pd-temperature', path: 'pd.temperature', kind: 'number' },
  { flag: 'eval-every', path: 'evalEvery', kind: 'int' },
];

/** Options of `fedssd simulate` that are not part of the run config. */
export interface SimulateOptions {
  config: RunConfig;
  out: string;
  testLimit: number | undefined;
  probeEpochs: number;
  backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  quiet: boolean;
}

export const SIMULATE_HELP = `Usage: fedssd simulate [flags]

Runs a federated self-supervised run in one process: K virtual clients, in-memory transport.

Run config (defaults follow SSD-SPEC.md; ranges are checked and named on error):
  --method baseline|dsr|pd|ssd   --dataset synthetic|mnist|fashion-mnist|cifar10   --data-dir DIR
  --model small|resnet18   --model-width W   --clients K   --alpha A   --participation P
  --rounds R   --local-epochs E   --batch-size B   --lr LR   --momentum M   --weight-decay WD   --seed S
  --train-limit N (first N training images)   --uniformity BETA   --dsr-coeff GAMMA   --dsr-scale W
  --slice-size M   --dsr-form code|paper   --pd-coeff DELTA   --pd-temperature TAU   --eval-every N
  --config FILE   a JSON run config; flags override its fields

Simulation:
  --test-limit N     evaluate on the first N test images (default: all)
  --probe-epochs N   linear-probe epochs in the final evaluation (default 100; 0 skips it)
  --out FILE         report path (default reports/simulate-<method>-seed<seed>.json; a .svg chart is written beside it)
  --backend auto|wasm|cpu|tensorflow (default auto)
  --quiet            no progress bar
`;

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] = typeof node[part] === 'object' && node[part] !== null ? node[part] : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function parseNumber(flag: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UserError(`--${flag}: expected ${integer ? 'an integer' : 'a number'}, got "${text}"`);
  }
  return value;
}

/** `--alpha -1` would read as an unknown short option `-1`; join negative numbers to their flag. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** Parses `fedssd simulate` flags into a validated run config; every problem named by its flag. */
export function parseSimulateArgs(argv: string[]): SimulateOptions {
  const options: Record<string, { type: 'string' | 'boolean' }> = { config: { type: 'string' }, out: { type: 'string' },
    'test-limit': { type: 'string' }, 'probe-epochs': { type: 'string' }, backend: { type: 'string' }, quiet: { type: 'boolean' } };
  for (const f of FLAGS) options[f.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(argv), options, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n\n${SIMULATE_HELP}`);
  }
  let raw: Record<string, unknown> = {};
  if (typeof values.config === 'string') {
    try {
      raw = JSON.parse(readFileSync(values.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(`--config ${values.config}: ${(error as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`--config ${values.config}: expected a JSON object`);
  }
  // Simulation defaults are smaller than the service defaults: a laptop-sized run.
  raw = { rounds: 5, localEpochs: 1, batchSize: 64, ...raw };
  for (const f of FLAGS) {
    const text = values[f.flag];
    if (typeof text !== 'string') continue;
    setPath(raw, f.path, f.kind === 'string' ? text : parseNumber(f.flag, text, f.kind === 'int'));
  }
  const parsed = RunConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const byPath = new Map(FLAGS.map((f) => [f.path, `--${f.flag}`]));
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${byPath.get(path) ?? (path || 'config')}: ${issue.message}`;
    });
    throw new UserError(`invalid run config:\n  ${lines.join('\n  ')}`);
  }
  const config = parsed.data;
  const testLimit = typeof values['test-limit'] === 'string' ? parseNumber('test-limit', values['test-limit'], true) : undefined;
  if (testLimit !== undefined && testLimit < 1) throw new UserError(`--test-limit: must be >= 1 (got ${testLimit})`);
  const probeEpochs = typeof values['probe-epochs'] === 'string' ? parseNumber('probe-epochs', values['probe-epochs'], true) : 100;
  if (probeEpochs < 0 || probeEpochs > 10_000) throw new UserError(`--probe-epochs: must be between 0 and 10000 (got ${probeEpochs})`);
  const backend = (values.backend ?? 'auto') as string;
  if (!['auto', 'wasm', 'cpu', 'tensorflow'].includes(backend)) throw new UserError(`--backend: must be one of auto, wasm, cpu, tensorflow (got "${backend}")`);
  const out = typeof values.out === 'string' ? values.out : `reports/simulate-${config.method}-seed${config.seed}.json`;
  return { config, out, testLimit, probeEpochs, backend: backend as SimulateOptions['backend'], quiet: values.quiet === true };
}
