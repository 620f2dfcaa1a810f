import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every response (the docs page is the one HTML page; JSON gets them too at
 * no cost). Set by hand rather than with @fastify/helmet, whose CommonJS `require('helmet')`
 * resolves to the ESM build under the test runner's export conditions.
 */
const HEADERS: Record<string, string> = {
  // The docs page is server-rendered with one inline <style> and no scripts.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
};

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(HEADERS)) reply.header(name, value);
    return payload;
  });
}
