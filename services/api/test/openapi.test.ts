import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, build, type TestApp } from './helper.js';
import { documentationGaps, documentedRoutes, type OpenApiPaths } from './served-routes.js';

let t: TestApp;
afterEach(async () => t.close());

async function openApi(app: TestApp['app']): Promise<{ openapi: string; paths: OpenApiPaths; components: Record<string, unknown> }> {
  const res = await app.inject({ url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('/openapi.json', () => {
  it('then it is a valid OpenAPI 3.1 document', async () => {
    t = await build();
    const doc = await openApi(t.app);
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does refuse a broken document (a path without its leading slash, no info).
    const { info: _info, ...broken } = { ...doc, paths: { 'v1/runs': {} } } as Record<string, unknown>;
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('then it documents every route Fastify serves, each with a summary and a declared response, and nothing else', async () => {
    t = await build();
    const doc = await openApi(t.app);
    expect(documentationGaps(t.app, doc.paths, '/docs')).toEqual([]);
    expect(documentedRoutes(doc.paths)).toEqual(
      [
        'GET /healthz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /readyz',
        'GET /v1/runs',
        'POST /v1/runs',
        'GET /v1/runs/{id}',
        'GET /v1/runs/{id}/events',
        'GET /v1/runs/{id}/metrics',
        'GET /v1/runs/{id}/model',
        'GET /v1/runs/{id}/model/weights.bin',
        'POST /v1/runs/{id}/rounds',
        'GET /v1/runs/{id}/rounds/{round}',
        'POST /v1/runs/{id}/stop',
        'GET /v1/sites',
        'GET /v1/admin/sites',
        'POST /v1/admin/sites',
        'DELETE /v1/admin/sites/{name}',
      ].sort(),
    );
  });

  it('when a route is added without a schema, or hidden from the document, then the comparison names it', async () => {
    t = await build();
    t.app.get('/extra', async () => 'no schema');
    t.app.get('/hidden', { schema: { hide: true } }, async () => 'hidden');
    const doc = await openApi(t.app);
    expect(documentationGaps(t.app, doc.paths, '/docs')).toEqual([
      'served but not documented: GET /hidden',
      'no summary: GET /extra',
      'no response schema: GET /extra',
    ]);
  });

  it('then every /v1 operation requires the bearer scheme and documents 401 and 429, /v1/admin the admin scheme; the ops routes require nothing', async () => {
    t = await build({ admin: { token: ADMIN_TOKEN, sites: { unavailable: 'not configured' } } });
    const doc = await openApi(t.app);
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      adminBearer: { type: 'http', scheme: 'bearer' },
    });
    const counted = { bearer: 0, adminBearer: 0 };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const scheme = path.startsWith('/v1/admin/') ? 'adminBearer' : path.startsWith('/v1/') ? 'bearer' : undefined;
        if (scheme === undefined) {
          expect(op.security, `${method} ${path}`).toEqual([]);
          continue;
        }
        counted[scheme] += 1;
        expect(op.security, `${method} ${path}`).toEqual([{ [scheme]: [] }]);
        // With both tokens configured, each scope refuses the other's token with 403.
        expect(Object.keys(op.responses ?? {}), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403', '429']));
      }
    }
    expect(counted).toEqual({ bearer: 11, adminBearer: 3 });
  });

  it('when the admin routes are off, then they still appear under the admin scheme, documenting 503 and no 401/403', async () => {
    t = await build();
    const doc = await openApi(t.app);
    const post = doc.paths['/v1/admin/sites']!.post!;
    expect(post.security).toEqual([{ adminBearer: [] }]);
    expect(Object.keys(post.responses ?? {})).toEqual(expect.arrayContaining(['201', '503']));
    expect(Object.keys(post.responses ?? {})).not.toContain('401');
    expect(Object.keys(doc.paths['/v1/runs']!.get!.responses ?? {})).not.toContain('403');
  });

  it('then the run config body schema carries the zod ranges and defaults, and path parameters are listed', async () => {
    t = await build();
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const schema = doc.paths['/v1/runs'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.clients).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 10 });
    expect(schema.properties.method.enum).toEqual(['baseline', 'dsr', 'pd', 'ssd']);
    expect(schema.additionalProperties).toBe(false);
    expect(doc.paths['/v1/runs/{id}/rounds/{round}'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'round']);
    const version = doc.paths['/v1/runs/{id}/model'].get.parameters.find((p: { name: string }) => p.name === 'version');
    expect(version).toMatchObject({ in: 'query', required: false });
  });

  it('then error responses carry the one error shape with the closed list of codes', async () => {
    t = await build();
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const conflict = doc.paths['/v1/runs/{id}/rounds'].post.responses['409'];
    expect(conflict.description).toContain('ROUND_ALREADY_REQUESTED');
    const error = conflict.content['application/json'].schema.properties.error;
    expect(error.required).toEqual(['code', 'message']);
    expect(error.properties.code.enum).toEqual(
      expect.arrayContaining(['ROUND_IN_PROGRESS', 'ROUND_ALREADY_REQUESTED', 'MODEL_SPEC_MISSING']),
    );
  });
});

describe('/docs', () => {
  it('then it is the Swagger UI page, its scripts served from the @fastify/swagger-ui package on this origin, under a strict CSP', async () => {
    t = await build();
    const res = await t.app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="swagger-ui">');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe|http|\*)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');

    const scripts = [...res.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    const packageDir = dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui/package.json'));
    for (const [, attributes, inline] of scripts) {
      expect(inline!.trim(), 'no inline script').toBe('');
      const src = /src="([^"]+)"/.exec(attributes!)?.[1];
      expect(src, 'same-origin path').toMatch(/^\/docs\/static\/[\w.-]+\.js$/);
      const asset = await t.app.inject({ url: src! });
      expect(asset.statusCode, src).toBe(200);
      expect(asset.headers['content-type'], src).toMatch(/javascript/);
      if (src!.endsWith('swagger-ui-bundle.js')) {
        expect(
          asset.rawPayload.equals(await readFile(join(packageDir, 'static', 'swagger-ui-bundle.js'))),
          'bundle is the package file',
        ).toBe(true);
      }
    }
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('then the document the page loads is the same as /openapi.json', async () => {
    t = await build();
    const page = await t.app.inject({ url: '/docs/json' });
    expect(page.json()).toEqual((await t.app.inject({ url: '/openapi.json' })).json());
  });
});
