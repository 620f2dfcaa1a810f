/** Every error code the api returns, with its HTTP status. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUND_IN_PROGRESS: 409,
  ROUND_ALREADY_REQUESTED: 409,
  RUN_NOT_ACTIVE: 409,
  RUN_COMPLETE: 409,
  MODEL_SPEC_MISSING: 409,
  SITE_EXISTS: 409,
  SITE_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  NOT_READY: 503,
  ADMIN_DISABLED: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every code, for the error body's schema (a closed set in the OpenAPI document). */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** The one error body of the api. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error the api means to return as is: its code decides the status; its message is shown. */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.statusCode = ERROR_STATUS[code];
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
