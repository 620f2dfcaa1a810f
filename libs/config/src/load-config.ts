import { readFileSync } from 'node:fs';
import { ZodObject, type z } from 'zod';
import { ConfigError } from './config-error.js';

/** Environment variables as Node gives them (`process.env`), or a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Reads a secret file; defaults to `fs.readFileSync(path, 'utf8')`. Tests inject a fake. */
  readFile?: (path: string) => string;
}

/** Suffix that turns `X` into `X_FILE`: a path to a mounted file holding X's value. */
export const FILE_SUFFIX = '_FILE';

/**
 * Resolve `X_FILE` indirections: for every `X_FILE` set, the file's contents (one trailing
 * newline stripped, since `echo` and Kubernetes secrets add one) become `X`, winning over a
 * plain `X`. Unreadable files are problems, not exceptions, so they are listed with the rest.
 */
function resolveFiles(
  env: Env,
  names: ReadonlySet<string>,
  readFile: (path: string) => string,
  problems: string[],
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [name, path] of Object.entries(env)) {
    if (!name.endsWith(FILE_SUFFIX) || path === undefined || path === '') continue;
    const target = name.slice(0, -FILE_SUFFIX.length);
    // Only the schema's own variables: the process environment holds other tools' *_FILE variables.
    if (!names.has(target)) continue;
    try {
      out[target] = readFile(path).replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      problems.push(`${name}: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
    }
  }
  return out;
}

/**
 * Parse the environment once with the service's zod object schema (call it from `main.ts` only;
 * pass the result down). `X_FILE` is honoured for every key `X` of the schema. Empty strings count as unset, so `API_PORT=` falls back to the default.
 * Throws {@link ConfigError} listing every problem as `NAME: message`.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env, options: LoadConfigOptions = {}): z.output<S> {
  const problems: string[] = [];
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const names = new Set(schema instanceof ZodObject ? Object.keys(schema.shape) : []);
  const resolved = resolveFiles(env, names, readFile, problems);
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(resolved)) {
    if (value !== undefined && value !== '') input[name] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      problems.push(`${path === '' ? '(root)' : path}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}
