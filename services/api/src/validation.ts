import { formatZodError } from '@fedssd/protocol';
import { z } from 'zod';
import { ApiError } from './errors.js';

/**
 * Parse a request part with a zod schema or throw a 400 naming every bad field, e.g.
 * `body.clients: must be between 1 and 1000 (got 0)`.
 */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params' | 'query'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = formatZodError(parsed.error).map((line) =>
    line.startsWith('(root)') ? `${where}${line.slice(6)}` : `${where}.${line}`,
  );
  throw new ApiError('VALIDATION_FAILED', problems.join('; '));
}

/** A decimal integer in a query string or path, in [min, max]. */
export function intParam(min: number, max: number) {
  const message = (iss: { input?: unknown }) => `must be an integer between ${min} and ${max} (got ${JSON.stringify(iss.input)})`;
  return z
    .string({ error: message })
    .regex(/^\d{1,9}$/, { error: message })
    .transform(Number)
    .pipe(z.number().min(min, { error: message }).max(max, { error: message }));
}
