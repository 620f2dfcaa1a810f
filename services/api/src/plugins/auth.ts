import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

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
