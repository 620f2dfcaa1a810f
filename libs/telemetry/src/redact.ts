/**
 * Value-level redaction: pino's `redact` matches paths, but a broker URL with a password can sit
 * under any key (`url`, `err.message`), so string values are scrubbed as well.
 */

const CREDENTIALS_IN_URL = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*(?::[^\s/@]*)?@/gi;

/** Replaces `scheme://user:pass@` with `scheme://[redacted]@` anywhere in `text`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, '$1[redacted]@');
}

/** Objects are walked this deep; log objects are small and shallow, so deeper values are left alone. */
const MAX_DEPTH = 4;

/** A copy of `value` with URL credentials scrubbed from every string (plain objects and arrays only). */
export function scrubStrings(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubStrings(item, depth + 1));
  if (value instanceof Error) {
    // Errors are serialised by pino's err serializer later; scrub the text that reaches the log.
    const copy = {
      type: value.name,
      message: redactUrlCredentials(value.message),
      stack: value.stack === undefined ? undefined : redactUrlCredentials(value.stack),
    };
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubStrings(item, depth + 1);
  return out;
}

/** pino `redact` paths: auth headers, tokens and passwords at the top level and one level down. */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'apiToken',
  '*.apiToken',
];
