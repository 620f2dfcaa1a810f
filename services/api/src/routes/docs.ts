import type { FastifyInstance } from 'fastify';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  description?: string;
}

function range(s: Schema): string {
  const parts: string[] = [];
  if (s.enum !== undefined) parts.push(s.enum.map((v) => JSON.stringify(v)).join(' | '));
  const low = s.minimum !== undefined ? `[${s.minimum}` : s.exclusiveMinimum !== undefined ? `(${s.exclusiveMinimum}` : undefined;
  const high = s.maximum !== undefined ? `${s.maximum}]` : s.exclusiveMaximum !== undefined ? `${s.exclusiveMaximum})` : undefined;
  if (low !== undefined || high !== undefined) parts.push(`${low ?? '(-inf'}, ${high ?? 'inf)'}`);
  return parts.join(' ');
}

function fieldsTable(schema: Schema): string {
  const rows = Object.entries(schema.properties ?? {}).map(
    ([name, s]) =>
      `<tr><td><code>${escape(name)}</code></td><td>${escape(String(s.type ?? 'object'))}</td><td>${escape(range(s))}</td><td>${s.default === undefined ? '' : `<code>${escape(JSON.stringify(s.default))}</code>`}</td><td>${escape(s.description ?? '')}</td></tr>`,
  );
  return rows.length === 0
    ? ''
    : `<table><tr><th>field</th><th>type</th><th>range</th><th>default</th><th></th></tr>${rows.join('')}</table>`;
}

/** A small server-rendered page of the OpenAPI document: no scripts, so a strict CSP holds. */
export function renderDocs(doc: Record<string, unknown>): string {
  const paths = doc.paths as Record<
    string,
    Record<string, { summary: string; security: unknown[]; requestBody?: { content: Record<string, { schema: Schema }> } }>
  >;
  const sections = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const body = op.requestBody?.content['application/json']?.schema;
      return `<section><h2><span class="m">${method.toUpperCase()}</span> <code>${escape(path)}</code>${op.security.length > 0 ? ' <small>bearer token</small>' : ''}</h2><p>${escape(op.summary)}</p>${body !== undefined ? `<h3>JSON body</h3>${fieldsTable(body)}` : ''}</section>`;
    }),
  );
  const info = doc.info as { title: string; version: string; description: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}h2{font-size:1.05rem;margin:1.6rem 0 .3rem}.m{display:inline-block;min-width:3.5rem;color:#05c}small{color:#a50}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}</style>
</head><body><h1>${escape(info.title)} <small>${escape(info.version)}</small></h1><p>${escape(info.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>${sections.join('\n')}</body></html>`;
}

/** `/openapi.json` and `/docs`. */
export function docsRoutes(doc: Record<string, unknown>) {
  const html = renderDocs(doc);
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/openapi.json', async () => doc);
    app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  };
}
