import type { z } from 'zod';

/**
 * One line per problem, `path: message`, e.g. `clients: must be between 1 and 1000 (got 0)`;
 * problems at the root read `(root): ...`. Paths use dots (`dsr.scale`) and indices (`rows.2`).
 */
export function formatZodError(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((part) => String(part)).join('.');
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
}
