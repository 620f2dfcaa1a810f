import { afterEach, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/index.js';
import { AUTH, build, errorOf, type TestApp } from './helper.js';

let t: TestApp;

/** `METHOD /path/{param}` for every route in Fastify's printed route tree (HEAD twins dropped). */
function servedRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const [, segment, methods] = /^(\S+)(?: \(([A-Z, ]+)\))?/.exec(line.slice(at + 3))!;
    stack.length = depth;
    stack.push(segment!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of methods?.split(', ') ?? []) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out;
}
afterEach(async () => t.close());

describe('health and readiness', () => {
  it('when the process is up, then /healthz is 200', async () => {
    t = await build();
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('when broker and redis answer, then /readyz is 200 listing both', async () => {
    t = await build({ readiness: { broker: async () => {}, redis: async () => {} } });
    const res = await t.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { broker: 'ok', redis: 'ok' } });
  });

  it('when redis fails and the broker hangs, then /readyz is 503 naming both', async () => {
    t = await build({
      readinessTimeoutMs: 50,
      readiness: {
        broker: () => new Promise(() => {}),
        redis: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    });
    const res = await t.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(errorOf(res)).toEqual({ code: 'NOT_READY', message: 'not ready: broker (no answer within 50 ms), redis (ECONNREFUSED)' });
    expect(res.json().checks).toEqual({ broker: 'failed: no answer within 50 ms', redis: 'failed: ECONNREFUSED' });
  });
});

describe('/metrics', () => {
  it('then it serves the fedssd_ metrics in Prometheus format, counting requests by route template', async () => {
    t = await build({ queueDepths: async () => ({ jobs: 7 }) });
    await t.createRun();
    await t.app.inject({ url: '/v1/runs/run-1', headers: AUTH });
    await t.app.inject({ url: '/v1/runs/nope', headers: AUTH });
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    for (const name of ['fedssd_rounds_total', 'fedssd_updates_rejected_total', 'fedssd_round_duration_seconds', 'fedssd_knn_accuracy'])
      expect(res.body).toContain(`# TYPE ${name} `);
    expect(res.body).toContain('fedssd_queue_depth{queue="jobs",service="api"} 7');
    expect(res.body).toContain('fedssd_http_requests_total{method="POST",route="/v1/runs",status="201",service="api"} 1');
    expect(res.body).toContain('fedssd_http_requests_total{method="GET",route="/v1/runs/:id",status="200",service="api"} 1');
    expect(res.body).toContain('fedssd_http_requests_total{method="GET",route="/v1/runs/:id",status="404",service="api"} 1');
  });
});

describe('OpenAPI and docs', () => {
  it('then /openapi.json is an OpenAPI 3.1 document listing every route the app serves', async () => {
    t = await build();
    const res = await t.app.inject({ url: '/openapi.json' });
    const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    // Every route Fastify serves (HEAD twins aside), from its own route listing, in OpenAPI syntax.
    const fromFastify = servedRoutes(t.app.printRoutes({ commonPrefix: false }));
    expect(fromFastify.sort()).toEqual(documented);
    const served: string[] = [];
    for (const op of OPERATIONS) {
      const url = op.path.replace(/\{(\w+)\}/g, ':$1');
      const probe = t.app.hasRoute({ method: op.method.toUpperCase() as 'GET', url });
      expect(probe, `${op.method} ${url} is served`).toBe(true);
      served.push(`${op.method.toUpperCase()} ${op.path}`);
    }
    expect(documented).toEqual(served.sort());
    expect(documented).toHaveLength(15);
  });

  it('then the run config body schema carries the zod ranges and defaults', async () => {
    t = await build();
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const schema = doc.paths['/v1/runs'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.clients).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 10 });
    expect(schema.properties.method.enum).toEqual(['baseline', 'dsr', 'pd', 'ssd']);
    expect(schema.additionalProperties).toBe(false);
    expect(doc.paths['/v1/runs/{id}/rounds/{round}'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'round']);
  });

  it('then /docs is HTML rendering every route, with security headers', async () => {
    t = await build();
    const res = await t.app.inject({ url: '/docs' });
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    for (const op of OPERATIONS) expect(res.body).toContain(`<code>${op.path}</code>`);
    expect(res.body).not.toContain('<script');
  });
});
