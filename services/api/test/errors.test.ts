import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, build, errorOf, TOKEN, type TestApp } from './helper.js';

let t: TestApp;
afterEach(async () => t.close());

describe('auth', () => {
  it('when the token is missing, wrong, or not a Bearer header, then every /v1 route answers 401 UNAUTHORIZED', async () => {
    t = await build();
    const routes = [
      ['POST', '/v1/runs'],
      ['GET', '/v1/runs'],
      ['GET', '/v1/runs/r'],
      ['POST', '/v1/runs/r/rounds'],
      ['POST', '/v1/runs/r/stop'],
      ['GET', '/v1/runs/r/rounds/1'],
      ['GET', '/v1/runs/r/metrics'],
      ['GET', '/v1/runs/r/events'],
      ['GET', '/v1/runs/r/model'],
      ['GET', '/v1/runs/r/model/weights.bin'],
    ] as const;
    for (const [method, url] of routes) {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token' },
        { authorization: `Basic ${TOKEN}` },
        { authorization: `Bearer ${TOKEN}x` },
      ]) {
        const res = await t.app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(errorOf(res).code).toBe('UNAUTHORIZED');
      }
    }
  });

  it('when the token is right (any case of "bearer"), then the request goes through', async () => {
    t = await build();
    expect((await t.app.inject({ url: '/v1/runs', headers: { authorization: `bearer ${TOKEN}` } })).statusCode).toBe(200);
  });

  it('when probes and scrapers call ops routes, then no token is needed', async () => {
    t = await build();
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'])
      expect((await t.app.inject({ url })).statusCode, url).toBe(200);
  });
});

describe('client mistakes never give a 5xx', () => {
  it('when the body is larger than the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    t = await build({ bodyLimitBytes: 2048 });
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { dataDir: 'x'.repeat(4000) } });
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when the JSON is malformed or empty, then 400 MALFORMED_JSON', async () => {
    t = await build();
    const headers = { ...AUTH, 'content-type': 'application/json' };
    const bad = await t.app.inject({ method: 'POST', url: '/v1/runs', headers, payload: '{"clients": 3,' });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).code).toBe('MALFORMED_JSON');
    const empty = await t.app.inject({ method: 'POST', url: '/v1/runs', headers, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(errorOf(empty).code).toBe('MALFORMED_JSON');
  });

  it('when the body smuggles __proto__, then 400 and not a polluted object', async () => {
    t = await build();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"__proto__": {"x": 1}}',
    });
    expect(res.statusCode).toBe(400);
  });

  it('when the content type is not JSON, then 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    t = await build();
    for (const type of ['application/xml', 'text/plain']) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: { ...AUTH, 'content-type': type }, payload: '<run/>' });
      expect(res.statusCode).toBe(415);
      expect(errorOf(res).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('when the URL has a broken percent-encoding, then 400 BAD_REQUEST in the same shape', async () => {
    t = await build();
    const res = await t.app.inject({ url: '/v1/runs/%ZZ', headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('BAD_REQUEST');
  });

  it('when the body is JSON null or a string, then 400 VALIDATION_FAILED naming the body', async () => {
    t = await build();
    for (const payload of ['null', '"ssd"']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/runs',
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toMatch(/^body: /);
    }
  });

  it('when a docs asset request fails with a status no code has (bad path 403, 412, 416), then 400 BAD_REQUEST in the one shape', async () => {
    t = await build();
    for (const [url, headers] of [
      ['/docs/static/%00', {}],
      ['/docs/static/index.css', { range: 'bytes=99999999-' }],
      ['/docs/static/index.css', { 'if-match': '"other"' }],
    ] as const) {
      const res = await t.app.inject({ url, headers });
      expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(400);
      expect(errorOf(res).code).toBe('BAD_REQUEST');
    }
  });

  it('when the route does not exist, then 404 JSON naming it', async () => {
    t = await build();
    const res = await t.app.inject({ url: '/v2/nothing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(errorOf(res)).toEqual({ code: 'NOT_FOUND', message: 'no route GET /v2/nothing' });
  });

  it('when a client exceeds the rate limit, then 429 RATE_LIMITED', async () => {
    t = await build({ rateLimitPerMinute: 2 });
    for (let i = 0; i < 2; i++) expect((await t.app.inject({ url: '/v1/runs', headers: AUTH })).statusCode).toBe(200);
    const res = await t.app.inject({ url: '/v1/runs', headers: AUTH });
    expect(res.statusCode).toBe(429);
    expect(errorOf(res).code).toBe('RATE_LIMITED');
  });

  it('when behind a trusted proxy, then each forwarded client IP has its own rate-limit bucket', async () => {
    t = await build({ rateLimitPerMinute: 1, trustProxy: true });
    const from = (ip: string) => t.app.inject({ url: '/v1/runs', headers: { ...AUTH, 'x-forwarded-for': ip } });
    expect((await from('10.0.0.1')).statusCode).toBe(200);
    expect((await from('10.0.0.2')).statusCode).toBe(200);
    expect((await from('10.0.0.1')).statusCode).toBe(429);
  });
});

describe('server faults', () => {
  it('when a stored record does not match the response schema, then 500 INTERNAL and the mismatch stays in the log', async () => {
    t = await build();
    await t.createRun();
    const run = await t.runs.getRun('run-1');
    await t.transport.state.setJson('fedssd:run:{run-1}', { ...run, roundStatus: 'exploded' });
    const res = await t.app.inject({ url: '/v1/runs/run-1', headers: AUTH });
    expect(res.statusCode).toBe(500);
    expect(errorOf(res)).toEqual({ code: 'INTERNAL', message: 'internal error; see the server log' });
    expect(res.body).not.toContain('exploded');
  });

  it('when a dependency throws, then 500 INTERNAL hides the internals', async () => {
    t = await build();
    t.runs.listRuns = async () => {
      throw new Error('redis://:hunter2@db exploded at line 42');
    };
    const res = await t.app.inject({ url: '/v1/runs', headers: AUTH });
    expect(res.statusCode).toBe(500);
    expect(errorOf(res)).toEqual({ code: 'INTERNAL', message: 'internal error; see the server log' });
    expect(res.body).not.toContain('hunter2');
  });
});
