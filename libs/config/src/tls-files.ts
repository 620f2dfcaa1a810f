import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { envString } from './fields.js';

/** The three TLS settings of one connection, named after its URL variable's stem (e.g. `REDIS`). */
type TlsVar<S extends string> = `${S}_TLS_CA_FILE` | `${S}_TLS_CERT_FILE` | `${S}_TLS_KEY_FILE`;

/**
 * Schema fields `S_TLS_CA_FILE`, `S_TLS_CERT_FILE`, `S_TLS_KEY_FILE`: optional paths of PEM files
 * (a CA bundle to trust instead of the system store; a client certificate and its key). Spread
 * them into a service schema, then call {@link readTlsFiles} once at start-up. These names end in
 * `_FILE` but are paths, not `X_FILE` indirections: the schema has no `S_TLS_CA` for them to fill.
 */
export function tlsFileFields<const S extends string>(stem: S): { [K in TlsVar<S>]: z.ZodOptional<ReturnType<typeof envString>> } {
  return {
    [`${stem}_TLS_CA_FILE`]: envString().optional(),
    [`${stem}_TLS_CERT_FILE`]: envString().optional(),
    [`${stem}_TLS_KEY_FILE`]: envString().optional(),
  } as { [K in TlsVar<S>]: z.ZodOptional<ReturnType<typeof envString>> };
}

/** PEM contents for a TLS connection; shaped like Node's `tls.connect` options (amqplib and ioredis pass them on). */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface ReadTlsOptions {
  /** Reads a file; defaults to `fs.readFileSync`. Tests inject a fake. */
  readFile?: (path: string) => Buffer;
}

const SECURE_SCHEMES = ['amqps:', 'rediss:'];

function schemeOf(url: unknown): string | undefined {
  try {
    return typeof url === 'string' ? new URL(url).protocol : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the TLS files named by `S_TLS_*_FILE` in a parsed config, once. Undefined when none is
 * set. Throws {@link ConfigError} listing every problem: an unreadable file (with its error code),
 * a file that is not PEM, a certificate without its key or the reverse, and TLS files given
 * while `S_URL` is not an `amqps:`/`rediss:` URL (they would be silently ignored otherwise).
 */
export function readTlsFiles(
  stem: string,
  config: Readonly<Record<string, unknown>>,
  options: ReadTlsOptions = {},
): TlsMaterial | undefined {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path));
  const problems: string[] = [];
  const material: TlsMaterial = {};
  for (const part of ['ca', 'cert', 'key'] as const) {
    const name = `${stem}_TLS_${part.toUpperCase()}_FILE`;
    const path = config[name];
    if (typeof path !== 'string' || path === '') continue;
    let bytes: Buffer;
    try {
      bytes = readFile(path);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      problems.push(`${name}: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
      continue;
    }
    if (!bytes.toString('latin1').includes('-----BEGIN ')) problems.push(`${name}: ${path} is not a PEM file (no -----BEGIN line)`);
    else material[part] = bytes;
  }
  const given = (part: string) => typeof config[`${stem}_TLS_${part}_FILE`] === 'string';
  if (given('CERT') !== given('KEY')) {
    const [set, missing] = given('CERT') ? ['CERT', 'KEY'] : ['KEY', 'CERT'];
    problems.push(`${stem}_TLS_${missing}_FILE: must be set together with ${stem}_TLS_${set}_FILE`);
  }
  const anyGiven = given('CA') || given('CERT') || given('KEY');
  const scheme = schemeOf(config[`${stem}_URL`]);
  if (anyGiven && scheme !== undefined && !SECURE_SCHEMES.includes(scheme)) {
    problems.push(`${stem}_URL: must be an amqps:// or rediss:// URL when ${stem}_TLS_*_FILE is set (got a ${scheme}// URL)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return anyGiven ? material : undefined;
}
