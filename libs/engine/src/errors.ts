/** Codes of errors a user can fix (bad config, missing data) versus internal failures. */
export type SimulationErrorCode = 'INVALID_CONFIG' | 'INTERNAL';

/** An error with a closed code and the original cause. */
export class SimulationError extends Error {
  constructor(readonly code: SimulationErrorCode, message: string, options?: unknown) {
    super(message, options === undefined ? undefined : { cause: options });
    this.name = 'SimulationError';
  }
}
