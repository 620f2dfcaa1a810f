import { z } from 'zod';

/**
 * Field builders whose error messages state the allowed range and the value received, so a
 * rejected config or message reads like `clients: must be between 1 and 1000 (got 0)` once
 * prefixed with its path by {@link formatZodError}.
 */

/** Short, JSON-ish rendering of a rejected input for error messages. */
export function shown(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (typeof input === 'number' || typeof input === 'bigint' || typeof input === 'boolean') return String(input);
  try {
    const text = JSON.stringify(input);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return typeof input;
  }
}

/** An integer in the closed range [min, max]. */
export function intBetween(min: number, max: number) {
  const range = `must be an integer between ${min} and ${max}`;
  return z
    .number({ error: (iss) => `${range} (got ${shown(iss.input)})` })
    .int({ error: (iss) => `${range} (got ${shown(iss.input)})` })
    .min(min, { error: (iss) => `must be between ${min} and ${max} (got ${shown(iss.input)})` })
    .max(max, { error: (iss) => `must be between ${min} and ${max} (got ${shown(iss.input)})` });
}

/** A finite number in a range; `low`/`high` bounds are inclusive unless marked exclusive. */
export function numberIn(range: { gt?: number; gte?: number; lt?: number; lte?: number }) {
  const lower = range.gt !== undefined ? `(${range.gt}` : range.gte !== undefined ? `[${range.gte}` : '(-inf';
  const upper = range.lt !== undefined ? `${range.lt})` : range.lte !== undefined ? `${range.lte}]` : 'inf)';
  const text = (iss: { input?: unknown }) => `must be a number in ${lower}, ${upper} (got ${shown(iss.input)})`;
  let schema = z.number({ error: text });
  if (range.gt !== undefined) schema = schema.gt(range.gt, { error: text });
  if (range.gte !== undefined) schema = schema.gte(range.gte, { error: text });
  if (range.lt !== undefined) schema = schema.lt(range.lt, { error: text });
  if (range.lte !== undefined) schema = schema.lte(range.lte, { error: text });
  return schema;
}

/** One of a closed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (iss) => `must be one of ${values.map((v) => `'${v}'`).join(', ')} (got ${shown(iss.input)})`,
  });
}

/** A boolean (JSON true/false only: strings are not coerced). */
export function bool() {
  return z.boolean({ error: (iss) => `must be true or false (got ${shown(iss.input)})` });
}

/** A non-empty identifier of at most `maxLength` characters from a safe alphabet (used inside keys). */
export function identifier(maxLength = 64) {
  const text = (iss: { input?: unknown }) => `must be 1-${maxLength} characters of [A-Za-z0-9_-] (got ${shown(iss.input)})`;
  return z
    .string({ error: text })
    .min(1, { error: text })
    .max(maxLength, { error: text })
    .regex(/^[A-Za-z0-9_-]+$/, { error: text });
}

/** A non-empty string of at most `maxLength` characters. */
export function text(maxLength = 512) {
  const msg = (iss: { input?: unknown }) => `must be a string of 1-${maxLength} characters (got ${shown(iss.input)})`;
  return z.string({ error: msg }).min(1, { error: msg }).max(maxLength, { error: msg });
}
