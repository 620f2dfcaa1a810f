/**
 * Why a federation admin action failed. `INVALID_INPUT`, `DUPLICATE`, `NOT_FOUND` and `CONFLICT`
 * are the operator's to fix (the CLI prints them without a stack trace); `ADMIN_API` and
 * `UNREACHABLE` come from RabbitMQ's management API or Redis.
 */
export type FederationErrorCode = 'INVALID_INPUT' | 'DUPLICATE' | 'NOT_FOUND' | 'CONFLICT' | 'ADMIN_API' | 'UNREACHABLE';

/** The one error type of `@fedssd/federation`. */
export class FederationError extends Error {
  override readonly name = 'FederationError';

  constructor(
    readonly code: FederationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
