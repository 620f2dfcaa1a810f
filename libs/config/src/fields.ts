import { z } from 'zod';

/**
 * Field builders for environment variables (always strings). Their messages state the allowed
 * range and the value received, e.g. `API_PORT: must be between 1 and 65535 (got 0)`.
 */

function shown(input: unknown): string {
  if (input === undefined) return 'nothing';
  return typeof input === 'string' ? JSON.stringify(input) : String(input);
}

/** An integer in [min, max] written in decimal. */
export function envInt(min: number, max: number) {
  const range = `must be between ${min} and ${max}`;
  return z
    .string({ error: (iss) => `must be an integer between ${min} and ${max} (got ${shown(iss.input)})` })
    .trim()
    .regex(/^-?\d+$/, { error: (iss) => `must be an integer between ${min} and ${max} (got ${shown(iss.input)})` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: (iss) => `${range} (got ${shown(iss.input)})` })
        .max(max, { error: (iss) => `${range} (got ${shown(iss.input)})` }),
    );
}

/** A TCP port, 1-65535. */
export function envPort() {
  return envInt(1, 65_535);
}

/** A boolean: true/false, 1/0, yes/no, on/off (case-insensitive). Never `z.coerce.boolean()`, which reads "false" as true. */
export function envBool() {
  return z.stringbool({
    truthy: ['true', '1', 'yes', 'on'],
    falsy: ['false', '0', 'no', 'off'],
    error: (iss) => `must be one of true/false, 1/0, yes/no, on/off (got ${shown(iss.input)})`,
  });
}

/** A URL whose scheme is one of `protocols` (e.g. `['amqp:', 'amqps:']`). */
export function envUrl(protocols: readonly string[]) {
  const expected = `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
  return z.string({ error: () => expected }).refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    // The value may carry credentials: never echo it.
    { error: `${expected} (got an invalid or other-scheme URL)` },
  );
}

/** One of a closed set of strings. */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (iss) => `must be one of ${values.join(', ')} (got ${shown(iss.input)})` });
}

/** A secret string of at least `minLength` characters; its value never appears in messages. */
export function envSecret(minLength = 1) {
  return z
    .string({ error: () => `must be set (directly or through the matching _FILE variable)` })
    .min(minLength, { error: (iss) => `must be at least ${minLength} characters (got ${String((iss.input as string).length)})` });
}

/** A non-empty string of at most `maxLength` characters. */
export function envString(maxLength = 4096) {
  return z
    .string({ error: () => `must be a string of 1-${maxLength} characters` })
    .min(1, { error: `must be a string of 1-${maxLength} characters (got "")` })
    .max(maxLength, { error: `must be a string of 1-${maxLength} characters` });
}

/** pino log levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A pino log level. */
export function envLogLevel() {
  return envEnum(LOG_LEVELS);
}
