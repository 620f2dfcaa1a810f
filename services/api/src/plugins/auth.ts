import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiError } from '../errors.js';
import { documentResponses, errorResponse } from '../schemas.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** SHA-256 first, so both sides have equal length and the compare leaks neither content nor length. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A token that belongs to another scope: presented here it is refused with 403 and `message`, not 401. */
export interface RefusedToken {
  token: string;
  /** Says which token this scope takes instead, e.g. "the /v1/admin routes take the admin token". */
  message: string;
}

/**
 * An `onRequest` hook that admits a request only with `Authorization: Bearer <token>` matching
 * `token`, compared in constant time. Runs before the body is read, so unauthenticated clients
 * cannot make the server parse large bodies. A token of another scope (`refused`) answers 403
 * FORBIDDEN naming the token to use; anything else 401. Those comparisons only run after the
 * first failed, so a scope without `refused` does exactly one comparison per request.
 */
export function bearerAuth(token: string, refused: readonly RefusedToken[] = []) {
  const expected = digest(token);
  const others = refused.map((r) => ({ digest: digest(r.token), message: r.message }));
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined) throw new ApiError('UNAUTHORIZED', 'missing Authorization header (expected "Bearer <token>")');
    const match = BEARER.exec(header);
    if (match === null) throw new ApiError('UNAUTHORIZED', 'malformed Authorization header (expected "Bearer <token>")');
    const presented = digest(match[1]!);
    if (timingSafeEqual(presented, expected)) return;
    const other = others.find((o) => timingSafeEqual(presented, o.digest));
    if (other !== undefined) throw new ApiError('FORBIDDEN', other.message);
    throw new ApiError('UNAUTHORIZED', 'invalid bearer token');
  };
}

export interface BearerScope {
  /** The token this scope admits. */
  token: string;
  /** Name of its OpenAPI security scheme (declared in `installOpenApi`): `bearer` or `adminBearer`. */
  scheme: 'bearer' | 'adminBearer';
  /** Tokens of other scopes, answered 403 here. */
  refused?: readonly RefusedToken[];
}

/**
 * Puts every route registered in `scope` (after this call) behind {@link bearerAuth}, and
 * documents it on each of them: the security scheme, the 401 answer, and 403 when another
 * scope's token is refused here. All come from this one call, so the OpenAPI document cannot
 * claim a route is protected when it is not, or the reverse.
 */
export function requireBearer(scope: FastifyInstance, options: BearerScope): void {
  const refused = options.refused ?? [];
  scope.addHook('onRequest', bearerAuth(options.token, refused));
  const responses: Record<number, z.ZodType> = { 401: errorResponse('Missing, malformed or wrong bearer token (UNAUTHORIZED)') };
  if (refused.length > 0) responses[403] = errorResponse("Another scope's token: /v1 and /v1/admin each take their own (FORBIDDEN)");
  scope.addHook('onRoute', documentResponses(responses, [{ [options.scheme]: [] }]));
}
