import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { loadConfig, type Env } from './load-config.js';

/** Exit code for an invalid configuration (distinct from 1, a runtime failure). */
export const EXIT_CONFIG = 2;

/**
 * For a service's `main.ts`: the parsed config, or every problem printed on stderr and the
 * process ended with {@link EXIT_CONFIG} — a user mistake, so no stack trace.
 */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(EXIT_CONFIG);
  }
}
