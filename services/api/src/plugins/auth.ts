import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { documentResponses, errorResponse } from '../schemas.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** SHA-256 first, so both sides have equal length and the compare leaks neither content nor length. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * An `onRequest` hook that admits a request only with `Authorization: Bearer <token>` matching
 * `token`, compared in constant time. Runs before the body is read, so unauthenticated clients
 * cannot make the server parse large bodies.
 */
export function bearerAuth(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined) throw new ApiError('UNAUTHORIZED', 'missing Authorization header (expected "Bearer <token>")');
    const match = BEARER.exec(header);
    if (match === null) throw new ApiError('UNAUTHORIZED', 'malformed Authorization header (expected "Bearer <token>")');
    if (!timingSafeEqual(digest(match[1]!), expected)) throw new ApiError('UNAUTHORIZED', 'invalid bearer token');
  };
}

/**
 * Puts every route registered in `scope` (after this call) behind {@link bearerAuth}, and
 * documents it on each of them: `security: bearer` and the 401 answer. Both come from this one
 * call, so the OpenAPI document cannot claim a route is protected when it is not, or the reverse.
 */
export function requireBearer(scope: FastifyInstance, token: string): void {
  scope.addHook('onRequest', bearerAuth(token));
  scope.addHook(
    'onRoute',
    documentResponses({ 401: errorResponse('Missing, malformed or wrong bearer token (UNAUTHORIZED)') }, [{ bearer: [] }]),
  );
}
