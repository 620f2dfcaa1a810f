import { readFileSync } from 'node:fs';
import { RunConfigSchema, type RunConfig } from '@fedssd/protocol';
import { UserError } from './user-error.js';

/** Command-line flag -> run-config path. The config schema is the one source of truth for ranges. */
export const RUN_CONFIG_FLAGS: ReadonlyArray<{ flag: string; path: string; kind: 'string' | 'int' | 'number' }> = [
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

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] = typeof node[part] === 'object' && node[part] !== null ? node[part] : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

export function parseNumber(flag: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UserError(`--${flag}: expected ${integer ? 'an integer' : 'a number'}, got "${text}"`);
  }
  return value;
}

/**
 * A validated run config from parsed flags: `--config FILE` first, then `defaults` under it, then
 * each run-config flag on top. Every problem is reported by its flag name.
 */
export function buildRunConfig(values: Record<string, string | boolean | undefined>, defaults: Record<string, unknown>): RunConfig {
  let raw: Record<string, unknown> = {};
  if (typeof values.config === 'string') {
    try {
      raw = JSON.parse(readFileSync(values.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(`--config ${values.config}: ${(error as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new UserError(`--config ${values.config}: expected a JSON object`);
  }
  raw = { ...defaults, ...raw };
  for (const f of RUN_CONFIG_FLAGS) {
    const text = values[f.flag];
    if (typeof text !== 'string') continue;
    setPath(raw, f.path, f.kind === 'string' ? text : parseNumber(f.flag, text, f.kind === 'int'));
  }
  const parsed = RunConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const byPath = new Map(RUN_CONFIG_FLAGS.map((f) => [f.path, `--${f.flag}`]));
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${byPath.get(path) ?? (path || 'config')}: ${issue.message}`;
    });
    throw new UserError(`invalid run config:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** `--alpha -1` would read as an unknown short option `-1`; join negative numbers to their flag. */
export function joinNegativeValues(argv: string[]): string[] {
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
