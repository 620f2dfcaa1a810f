/** Closed set of failure kinds, so callers (CLI, trainer) can branch on `code` instead of messages. */
export type DataErrorCode = 'CORRUPT_FILE' | 'DATASET_NOT_FOUND' | 'INVALID_OPTION' | 'INCONSISTENT_DATA';

/** The one error type of `@fedssd/data`; `cause` carries the underlying I/O or zlib error if any. */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly code: DataErrorCode;

  constructor(code: DataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Throws `INVALID_OPTION` unless `value` is an integer ≥ `min`. */
export function requireInt(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new DataError('INVALID_OPTION', `${field} must be an integer ≥ ${min} (got ${value})`);
  }
}
