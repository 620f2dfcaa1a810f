import { FederationError } from '@fedssd/federation';
import { ApiError } from '../errors.js';

/**
 * The api's answer for a failure of an enrolment or revocation: the operator's mistakes keep
 * their 4xx (a taken name 409, an unknown one 404), the engines' refusals and outages become 503
 * (the admin configuration or a server is at fault, not the request). Messages of
 * `@fedssd/federation` name no password (URLs are stripped of credentials there); a Redis reply
 * error is reduced to its code (e.g. NOPERM), its full text goes to the log only.
 */
export function adminFailure(error: unknown): unknown {
  if (error instanceof FederationError) {
    switch (error.code) {
      case 'INVALID_INPUT':
        return new ApiError('VALIDATION_FAILED', error.message, { cause: error });
      case 'DUPLICATE':
        return new ApiError('SITE_EXISTS', error.message, { cause: error });
      case 'NOT_FOUND':
        return new ApiError('NOT_FOUND', error.message, { cause: error });
      case 'CONFLICT':
        return new ApiError('SITE_CONFLICT', error.message, { cause: error });
      case 'ADMIN_API':
      case 'UNREACHABLE':
        return new ApiError('UNAVAILABLE', error.message, { cause: error });
    }
  }
  if (error instanceof Error && error.name === 'ReplyError') {
    const code = /^[A-Z]+/.exec(error.message)?.[0] ?? 'ERR';
    return new ApiError('UNAVAILABLE', `Redis refused an enrolment command (${code}); check the rights of the REDIS_ADMIN_URL user`, {
      cause: error,
    });
  }
  return error;
}
