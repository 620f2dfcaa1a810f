import type { FastifyInstance } from 'fastify';
import { DOCS_PREFIX } from './openapi.js';

/**
 * Security headers on every response. Set by hand rather than with @fastify/helmet, whose
 * CommonJS `require('helmet')` resolves to the ESM build under the test runner's export conditions.
 */
const HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
};

/** JSON and text answers load nothing. */
const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The Swagger UI page loads its scripts, styles and images from this origin only and fetches the
 * document from it; no inline or eval'd script. Its React components set inline `style`
 * attributes and its CSS embeds `data:` SVG icons, hence those two allowances.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function isDocsRoute(url: string | undefined): boolean {
  return url !== undefined && (url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`));
}

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(HEADERS)) reply.header(name, value);
    reply.header('content-security-policy', isDocsRoute(request.routeOptions.url) ? DOCS_CSP : API_CSP);
    return payload;
  });
}
