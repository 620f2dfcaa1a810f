import { readFileSync } from 'node:fs';
import { RunConfigSchema, type RunConfig } from '@fedssd/protocol';
import { UserError } from './user-error.js';

/**
 * How a flag's text becomes a value: as is, a number, or a comma-separated list (`--sites a,b`,
 * `--input-shape 28,28,1`).
 */
export type FlagKind = 'string' | 'int' | 'number' | 'list' | 'int-list';

/** Command-line flag -> run-config path. The config schema is the one source of truth for ranges. */
export const RUN_CONFIG_FLAGS: ReadonlyArray<{ flag: string; path: string; kind: FlagKind }> = [
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
  { flag: 'dsr-on', path: 'dsr.on', kind: 'string' },
  { flag: 'pd-coeff', path: 'pd.coeff', kind: 'number' },
  { flag: 'pd-temperature', path: 'pd.temperature', kind: 'number' },
  { flag: 'eval-every', path: 'evalEvery', kind: 'int' },
  { flag: 'wire-precision', path: 'wirePrecision', kind: 'string' },
  { flag: 'mode', path: 'mode', kind: 'string' },
  { flag: 'sites', path: 'sites', kind: 'list' },
  { flag: 'input-shape', path: 'inputShape', kind: 'int-list' },
];

/** Options of {@link buildRunConfig}. */
export interface BuildRunConfigOptions {
  /** Whether `--mode federated` is allowed; default false (`fedssd simulate` and `fedssd data split` run simulation mode only). */
  allowFederated?: boolean;
  /** The command named in the refusal; default `fedssd simulate`. */
  command?: string;
}

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

/** The value of one flag's text by its kind; a malformed number names the flag. */
function flagValue(flag: string, kind: FlagKind, text: string): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'int':
    case 'number':
      return parseNumber(flag, text, kind === 'int');
    case 'list':
      // Blank items stay in, so the schema names them rather than a typo silently dropping a site.
      return text.split(',').map((item) => item.trim());
    case 'int-list':
      return text.split(',').map((item) => {
        const value = Number(item);
        if (item.trim() === '' || !Number.isInteger(value)) {
          throw new UserError(`--${flag}: expected integers separated by commas (e.g. 28,28,1), got "${text}"`);
        }
        return value;
      });
  }
}

/** `--flag` for an issue path (`sites.1` -> `--sites (item 2)`), or the path itself for config-file-only fields. */
function flagOfPath(path: (string | number)[]): string {
  for (let end = path.length; end > 0; end -= 1) {
    const head = path.slice(0, end).map(String).join('.');
    const entry = RUN_CONFIG_FLAGS.find((f) => f.path === head);
    if (entry === undefined) continue;
    const rest = path.slice(end);
    return rest.length === 1 && typeof rest[0] === 'number'
      ? `--${entry.flag} (item ${rest[0] + 1})`
      : `--${entry.flag}${rest.length > 0 ? `.${rest.join('.')}` : ''}`;
  }
  return path.map(String).join('.') || 'config';
}

/**
 * A validated run config from parsed flags: `--config FILE` first, then `defaults` under it, then
 * each run-config flag on top. Every problem is reported by its flag name. A federated config
 * (from `--mode` or the file) is refused unless `options.allowFederated`: only `fedssd submit`
 * starts federated runs, which need enrolled sites and the services.
 */
export function buildRunConfig(
  values: Record<string, string | boolean | undefined>,
  defaults: Record<string, unknown>,
  options: BuildRunConfigOptions = {},
): RunConfig {
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
    setPath(raw, f.path, flagValue(f.flag, f.kind, text));
  }
  if (raw.mode === 'federated' && options.allowFederated !== true) {
    const from = values.mode === 'federated' ? '--mode federated' : `--config ${String(values.config)}: mode "federated"`;
    throw new UserError(
      `${from}: ${options.command ?? 'fedssd simulate'} runs simulation mode only (virtual clients of a public data set); ` +
        'start a federated run on enrolled sites with `fedssd submit --mode federated --sites a,b,c --input-shape H,W,C`',
    );
  }
  const parsed = RunConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${flagOfPath(issue.path as (string | number)[])}: ${issue.message}`);
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
