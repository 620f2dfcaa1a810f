import type { FastifySchemaValidationError } from 'fastify';
import { z } from 'zod';

/** Fastify's name of a request part -> the name our messages use (`query.version`, as before). */
const PART: Record<string, string> = { querystring: 'query' };

/**
 * Fastify's `schemaErrorFormatter`: one line per problem the zod validator found, `part.path:
 * message`, joined with `; `, e.g. `body.clients: must be between 1 and 1000 (got 0); body.lr:
 * ...`. A problem with the part as a whole reads `body: ...`. The error handler answers it as 400
 * VALIDATION_FAILED with this message.
 */
export function formatValidationErrors(errors: readonly FastifySchemaValidationError[], dataVar: string): Error {
  const part = PART[dataVar] ?? dataVar;
  const lines = errors.map((error) => {
    // fastify-type-provider-zod writes the zod issue path as a JSON pointer ("/dsr/scale", "/" at the root).
    const path = error.instancePath.split('/').filter((segment) => segment !== '');
    return `${[part, ...path].join('.')}: ${error.message ?? 'invalid'}`;
  });
  return new Error(lines.join('; '));
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
