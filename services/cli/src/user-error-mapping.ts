import { SimulationError } from '@fedssd/engine';
import { UserError } from './user-error.js';

/**
 * The message to show for an error the user can fix, or undefined for an internal failure.
 * User errors come from the CLI itself, from config checks in the engine, and from the data
 * readers (missing or corrupt files), which mark themselves with a `code`.
 */
export function toUserMessage(error: unknown): string | undefined {
  if (error instanceof UserError) return error.message;
  if (error instanceof SimulationError && error.code === 'INVALID_CONFIG') return error.message;
  if (error instanceof Error && error.name === 'DataError') return error.message;
  return undefined;
}
