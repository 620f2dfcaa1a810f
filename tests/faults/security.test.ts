import * as crypto from 'node:crypto';
import { ApiConfigSchema } from '@fedssd/api';
// Not re-exported by the package index: read straight from the service's config module.
import { AggregatorConfigSchema } from '../../services/aggregator/src/config.js';
import { TrainerConfigSchema } from '../../services/trainer/src/config.js';
import { ConfigError, loadConfig } from '@fedssd/config';
import { modelKey, runKey, updateKey } from '@fedssd/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTH, expectErrorShape, inProcessApi, TOKEN, type InProcessApi } from './helpers/api-app.js';

// Spy on the one constant-time primitive the api may use; the real function still runs.
vi.mock('node:crypto', async (original) => {
  const actual = await original<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

let api: InProcessApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/**
 * Concrete URLs (ids of an existing run) for every operation the api's generated /openapi.json
 * marks as needing the bearer scheme: the document is derived from the routes themselves, so a
 * route added later is walked here too.
 */
async function authedRoutes(app: InProcessApi['app']): Promise<Array<{ method: 'GET' | 'POST'; url: string }>> {
  const doc = (await app.inject({ url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
  }>();
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => op.security?.some((requirement) => 'bearer' in requirement))
      .map(([method]) => ({
        method: method.toUpperCase() as 'GET' | 'POST',
        url: path.replace('{id}', 'run-1').replace('{round}', '1'),
      })),
  );
}

describe('security: bearer token on every /v1 route', () => {
  it('when the token is missing, wrong, malformed or in the wrong scheme, then every /v1 operation answers 401 in the error shape', async () => {
    api = await inProcessApi();
    await api.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: {} });
    const routes = await authedRoutes(api.app);
    expect(routes.length).toBeGreaterThanOrEqual(9);
    // Every /v1 route the app serves is among them (nothing under /v1 is documented as open).
    expect(routes.map((r) => r.url).filter((url) => url.startsWith('/v1/'))).toHaveLength(routes.length);
    const bad: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(1)}` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${'a'.repeat(10_000)}` },
    ];
    for (const route of routes) {
      for (const headers of bad) {
        const res = await api.app.inject({ ...route, headers, ...(route.method === 'POST' ? { payload: {} } : {}) });
        expect(res.statusCode, `${route.method} ${route.url} with ${JSON.stringify(headers).slice(0, 60)}`).toBe(401);
        expectErrorShape(res.statusCode, res.body, route.url);
        expect(res.body).not.toContain(TOKEN);
      }
    }
  });

  it('when the right token is sent, then no /v1 operation answers 401 (the check admits it)', async () => {
    api = await inProcessApi();
    await api.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: {} });
    const routes = await authedRoutes(api.app);
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const route of routes.filter((r) => !r.url.endsWith('/events'))) {
      const res = await api.app.inject({ ...route, headers: AUTH, ...(route.method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${route.method} ${route.url}`).not.toBe(401);
    }
  });

  it('when tokens of any length are compared, then crypto.timingSafeEqual sees two 32-byte digests every time (no early exit on length)', async () => {
    api = await inProcessApi();
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    for (const candidate of ['x', TOKEN.slice(0, -1), `${TOKEN}y`, 'z'.repeat(4096), TOKEN]) {
      const res = await api.app.inject({ url: '/v1/runs', headers: { authorization: `Bearer ${candidate}` } });
      expect(res.statusCode).toBe(candidate === TOKEN ? 200 : 401);
    }
    expect(spy).toHaveBeenCalledTimes(5);
    for (const [a, b] of spy.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });
});

describe('security: limits', () => {
  it('when a body exceeds the limit, then 413 PAYLOAD_TOO_LARGE; without a token the body is refused with 401 before it is read', async () => {
    api = await inProcessApi({ bodyLimitBytes: 4096 });
    const big = JSON.stringify({ dataDir: 'x'.repeat(5000) });
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const anon = await api.app.inject({ method: 'POST', url: '/v1/runs', headers: { 'content-type': 'application/json' }, payload: big });
    expect(anon.statusCode).toBe(401);
  });

  it('when one client exceeds the per-minute rate, then 429 RATE_LIMITED with the error shape, and ops routes stay open', async () => {
    api = await inProcessApi({ rateLimitPerMinute: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await api.app.inject({ url: '/v1/runs', headers: AUTH })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await api.app.inject({ url: '/v1/runs', headers: AUTH });
    expectErrorShape(limited.statusCode, limited.body, 'rate limited');
    expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect((await api.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('security: one run cannot read another run', () => {
  it('when crafted run ids ask for a model, then only that exact run answers and run-2 bytes never leak through run-1 or traversal ids', async () => {
    api = await inProcessApi();
    for (let i = 0; i < 2; i++) await api.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: {} });
    for (const runId of ['run-1', 'run-2'])
      await api.runs.putSpec(runId, { kind: 'small', inputShape: [28, 28, 1], featureDim: 128, width: 1 });
    await api.runs.putModel('run-1', 0, new Uint8Array([11, 11, 11]));
    await api.runs.putModel('run-2', 0, new Uint8Array([22, 22, 22, 22]));
    const own = await api.app.inject({ url: '/v1/runs/run-1/model/weights.bin?version=0', headers: AUTH });
    expect(own.statusCode).toBe(200);
    expect([...own.rawPayload]).toEqual([11, 11, 11]);
    const crafted = [
      '..%2Frun-2',
      'run-1%2F..%2F..%2Frun-2',
      '%2e%2e',
      'run-2%00',
      'run-1}:model:v0',
      '{run-2}',
      'run-*',
      '*',
      'run-1:model',
      'run-1%0Arun-2',
      encodeURIComponent('fedssd:run:{run-2}'),
    ];
    for (const id of crafted) {
      for (const tail of ['/model', '/model/weights.bin?version=0', '', '/metrics', '/rounds/1']) {
        const res = await api.app.inject({ url: `/v1/runs/${id}${tail}`, headers: AUTH });
        expect([400, 404], `${id}${tail}`).toContain(res.statusCode);
        expect(res.rawPayload.includes(Buffer.from([22, 22, 22, 22])), `${id}${tail} leaked run-2 bytes`).toBe(false);
      }
    }
    // The key builders refuse ids that could reach outside the run's hash-tagged key space.
    for (const id of ['{run-2}', 'run-1}:x', '../run-2', 'a:b', '', 'x'.repeat(65)]) {
      expect(() => modelKey(id, 0)).toThrow(/runId must be/);
      expect(() => runKey(id)).toThrow(/runId must be/);
      expect(() => updateKey(id, 1, 0)).toThrow(/runId must be/);
    }
  });
});

describe('security: docs page headers', () => {
  it('when /docs is fetched, then it carries a CSP allowing scripts from this origin only, nosniff, frame denial, no referrer and HSTS, and holds no inline or third-party script', async () => {
    api = await inProcessApi();
    const res = await api.app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
    expect(String(res.headers['strict-transport-security'])).toMatch(/max-age=\d{7,}/);
    // Swagger UI needs scripts: each is an empty <script src> on this origin, never inline code or another host.
    const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body!.trim()).toBe('');
      expect(attributes).toMatch(/\bsrc="\/docs\/static\/[\w.-]+\.js"/);
    }
    expect(res.body.match(/<script\b/gi)).toHaveLength(scripts.length);
    expect(res.body).not.toMatch(/\bon[a-z]+=/i);
    // JSON answers allow nothing at all.
    const json = await api.app.inject({ url: '/healthz' });
    expect(String(json.headers['content-security-policy'])).toMatch(/^default-src 'none'/);
    expect(String(json.headers['content-security-policy'])).not.toContain('script-src');
  });
});

describe('config validation names the field and range, and never echoes a secret', () => {
  const runBounds: Array<[string, unknown]> = [
    ['clients', 0],
    ['clients', 1001],
    ['alpha', 0],
    ['participation', 0],
    ['participation', 1.5],
    ['rounds', 0],
    ['localEpochs', 0],
    ['batchSize', 1],
    ['lr', 0],
    ['lr', 101],
    ['momentum', 1],
    ['weightDecay', 2],
    ['seed', -1],
    ['seed', 2 ** 32],
    ['trainLimit', 0],
    ['evalEvery', 0],
    ['minClients', 0],
    ['graceMs', -1],
    ['roundDeadlineMs', 999],
    ['maxUpdateL2Norm', 0],
    ['modelWidth', 5],
    ['method', 'sgd'],
    ['dataset', 'imagenet'],
    ['model', 'vit'],
    ['autoAdvance', 'yes'],
    ['clients', 2.5],
    ['rounds', '3'],
    ['bogusField', 1],
  ];
  it.each(runBounds)('when POST /v1/runs has %s = %j, then 400 VALIDATION_FAILED names that field', async (field, value) => {
    api = await inProcessApi();
    const res = await api.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { [field]: value } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(res.json<{ error: { message: string } }>().error.message).toContain(field);
  });

  const nested: Array<[string, string, unknown]> = [
    ['dsr', 'coeff', -1],
    ['dsr', 'scale', 0],
    ['dsr', 'sliceSize', 0],
    ['dsr', 'form', 'poem'],
    ['dsr', 'extra', 1],
    ['pd', 'coeff', 1001],
    ['pd', 'temperature', 0],
  ];
  it.each(nested)('when POST /v1/runs has %s.%s = %j, then 400 names the nested field', async (group, field, value) => {
    api = await inProcessApi();
    const res = await api.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { [group]: { [field]: value } } });
    expect(res.statusCode).toBe(400);
    const { message } = res.json<{ error: { message: string } }>().error;
    // "dsr.coeff: must be ..." for a bad value; "dsr: Unrecognized key: \"extra\"" for an unknown key.
    expect(message).toContain(group);
    expect(message).toContain(field);
  });

  it('when minClients exceeds clients, then the message names minClients and the bound', async () => {
    api = await inProcessApi();
    const res = await api.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { clients: 3, minClients: 4 } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/minClients.*at most clients \(3\)/);
  });

  it('when service env is out of range or carries secrets, then ConfigError names each variable and prints no secret', () => {
    const secret = 'S3cr3t-Pa55w0rd-xyz';
    const env = {
      API_TOKEN: 'short',
      API_PORT: '70000',
      API_BODY_LIMIT_BYTES: '1',
      RABBITMQ_URL: `http://guest:${secret}@host`,
      REDIS_URL: `redis://default:${secret}@h:99999999`,
      API_RATE_LIMIT_PER_MINUTE: '0',
    };
    let message = '';
    try {
      loadConfig(ApiConfigSchema, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    for (const name of ['API_TOKEN', 'API_PORT', 'API_BODY_LIMIT_BYTES', 'RABBITMQ_URL', 'API_RATE_LIMIT_PER_MINUTE'])
      expect(message).toContain(name);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('short');
    expect(() => loadConfig(AggregatorConfigSchema, { AGGREGATOR_METRICS_PORT: '65536', AGGREGATOR_UPDATE_TTL_SECONDS: '0' })).toThrow(
      /AGGREGATOR_METRICS_PORT[\s\S]*AGGREGATOR_UPDATE_TTL_SECONDS|AGGREGATOR_UPDATE_TTL_SECONDS[\s\S]*AGGREGATOR_METRICS_PORT/,
    );
  });

  it('when the token and the broker/Redis URLs come from mounted files (X_FILE), then they are used and win over the plain variables', () => {
    const files: Record<string, string> = {
      '/run/secrets/api-token': 'file-token-0123456789\n',
      '/run/secrets/amqp': 'amqp://svc:pw1@broker:5672\n',
      '/run/secrets/redis': 'redis://default:pw2@cache:6379\n',
    };
    const env = {
      API_TOKEN: 'plain-token-0123456789',
      API_TOKEN_FILE: '/run/secrets/api-token',
      RABBITMQ_URL_FILE: '/run/secrets/amqp',
      REDIS_URL_FILE: '/run/secrets/redis',
    };
    const config = loadConfig(ApiConfigSchema, env, { readFile: (path) => files[path] ?? '' });
    expect(config).toMatchObject({
      API_TOKEN: 'file-token-0123456789',
      RABBITMQ_URL: 'amqp://svc:pw1@broker:5672',
      REDIS_URL: 'redis://default:pw2@cache:6379',
    });
    const agg = loadConfig(
      AggregatorConfigSchema,
      { RABBITMQ_URL_FILE: '/run/secrets/amqp', REDIS_URL_FILE: '/run/secrets/redis' },
      { readFile: (path) => files[path] ?? '' },
    );
    expect(agg).toMatchObject({ RABBITMQ_URL: 'amqp://svc:pw1@broker:5672', REDIS_URL: 'redis://default:pw2@cache:6379' });
  });

  it('when any numeric or enumerated service variable is out of range, then the error names that variable', () => {
    const schemas = { api: ApiConfigSchema, aggregator: AggregatorConfigSchema, trainer: TrainerConfigSchema };
    const base: Record<string, string> = { API_TOKEN: 'a-token-of-16-chars-or-more' };
    let checked = 0;
    for (const [service, schema] of Object.entries(schemas)) {
      for (const name of Object.keys(schema.shape)) {
        // Free-form strings (ids, hosts, user names, vhosts, file and folder paths) have no range; everything else must refuse one of these.
        const freeForm = ['API_HOST', 'AGGREGATOR_METRICS_HOST', 'TRAINER_METRICS_HOST', 'TRAINER_ID', 'API_TOKEN'];
        freeForm.push('RABBITMQ_ADMIN_USER', 'RABBITMQ_ADMIN_PASSWORD', 'RABBITMQ_VHOST');
        if (freeForm.includes(name)) continue;
        if (name.endsWith('_FILE') || name.endsWith('_DIR')) continue;
        const refused = ['-1', '99999999999', 'not-a-value', 'ftp://x'].some((value) => {
          try {
            loadConfig(schema, { ...base, [name]: value });
            return false;
          } catch (error) {
            expect((error as Error).message, `${service} ${name}=${value}`).toContain(name);
            return true;
          }
        });
        expect(refused, `${service} ${name} accepts every bad value`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(25);
  });
});
