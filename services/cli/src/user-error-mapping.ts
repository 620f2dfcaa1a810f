import { SimulationError } from '@fedssd/engine';
import { CheckpointError } from '@fedssd/runtime';
import { UserError } from './user-error.js';

/**
 * The message to show for an error the user can fix, or undefined for an internal failure.
 * User errors come from the CLI itself, from config checks in the engine, and from the data
 * readers (missing or corrupt files), which mark themselves with a `code`, and from checkpoint
 * folders that cannot be resumed.
 */
export function toUserMessage(error: unknown): string | undefined {
  if (error instanceof UserError) return error.message;
  if (error instanceof SimulationError && error.code === 'INVALID_CONFIG') return error.message;
  if (error instanceof Error && error.name === 'DataError') return error.message;
  if (error instanceof CheckpointError) return error.message;
  return undefined;
}
