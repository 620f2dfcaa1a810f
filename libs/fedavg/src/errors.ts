/** Closed set of failure kinds of `@fedssd/fedavg`. */
export type FedAvgErrorCode = 'INVALID_OPTION' | 'WEIGHTS_MISMATCH' | 'NO_UPDATES';

/** The one error type of `@fedssd/fedavg`. */
export class FedAvgError extends Error {
  override readonly name = 'FedAvgError';
  readonly code: FedAvgErrorCode;

  constructor(code: FedAvgErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Throws `INVALID_OPTION` unless `value` is an integer ≥ `min`. */
export function requireInt(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new FedAvgError('INVALID_OPTION', `${field} must be an integer ≥ ${min} (got ${value})`);
  }
}
