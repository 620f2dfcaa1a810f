/**
 * Codes of errors the engine raises on purpose. Today only `INVALID_CONFIG` (a config the user
 * can fix: K * m > d, a batch no client can fill); anything else reaching the caller is internal.
 */
export type SimulationErrorCode = 'INVALID_CONFIG';

/** An error with a closed code and the original cause. */
export class SimulationError extends Error {
  constructor(
    readonly code: SimulationErrorCode,
    message: string,
    options?: unknown,
  ) {
    super(message, options === undefined ? undefined : { cause: options });
    this.name = 'SimulationError';
  }
}
