import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, ERROR_STATUS, errorBody, type ErrorCode } from '../errors.js';

/** Fastify's own client-error codes, mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/**
 * The code for a client error by its HTTP status. A status not mapped here (403, 412 or 416 from
 * the static files of the docs page: a bad path or precondition, not an authorisation question;
 * our own 403 FORBIDDEN is only ever raised as an ApiError) answers 400 BAD_REQUEST, so that every
 * answer's status is its code's status, as clients and the error-shape tests rely on.
 */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

function isSyntaxError(error: unknown): boolean {
  return error instanceof SyntaxError;
}

/**
 * The api's one error handler and not-found handler: every failure leaves as
 * `{ error: { code, message } }`. Client mistakes (4xx) keep their message; anything else is
 * logged with its stack and answered with a generic 500 so internals do not leak.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.setErrorHandler(async (error: FastifyError | ApiError | Error, request, reply) => {
    if (error instanceof ApiError) {
      if (error.statusCode >= 500) request.log.warn({ code: error.code, err: error }, 'request failed');
      return reply.code(error.statusCode).send(errorBody(error.code, error.message));
    }
    const status = (error as FastifyError).statusCode;
    const fastifyCode = (error as FastifyError).code;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code =
        (fastifyCode !== undefined ? FASTIFY_CODES[fastifyCode] : undefined) ??
        (isSyntaxError(error) ? 'MALFORMED_JSON' : (CODE_BY_STATUS[status] ?? 'BAD_REQUEST'));
      const message = code === 'MALFORMED_JSON' ? `request body is not valid JSON: ${error.message}` : error.message;
      return reply.code(ERROR_STATUS[code]).send(errorBody(code, message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error; see the server log'));
  });
}
