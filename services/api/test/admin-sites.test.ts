import { Writable } from 'node:stream';
import { FederationError } from '@fedssd/federation';
import { createLogger } from '@fedssd/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiteAdmin } from '../src/index.js';
import { ADMIN_AUTH, ADMIN_TOKEN, AUTH, build, errorOf, type TestApp } from './helper.js';
import { createFakeSiteAdmin } from './site-fixtures.js';

let t: TestApp;
afterEach(async () => t.close());

/** The app with admin routes on, over the fake enrolment backend writing to the app's own state store. */
async function withAdmin(extra: Parameters<typeof build>[0] = {}) {
  // The fake needs the app's state store, which exists only once the app is built: delegate to it.
  const built: { fake?: ReturnType<typeof createFakeSiteAdmin> } = {};
  const sites: SiteAdmin = {
    provisionSite: (input) => built.fake!.provisionSite(input),
    listSites: () => built.fake!.listSites(),
    revokeSite: (name) => built.fake!.revokeSite(name),
  };
  t = await build({ ...extra, admin: { token: ADMIN_TOKEN, sites } });
  built.fake = createFakeSiteAdmin(t.transport.state);
  return built.fake;
}

const enrol = (payload: unknown, headers: Record<string, string> = ADMIN_AUTH) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/sites', headers, payload: payload as object });

describe('admin routes: tokens', () => {
  it('when the API token is sent to an admin route, then 403 FORBIDDEN names the admin token; wrong or missing tokens get 401', async () => {
    await withAdmin();
    const routes = [
      ['POST', '/v1/admin/sites'],
      ['GET', '/v1/admin/sites'],
      ['DELETE', '/v1/admin/sites/a'],
    ] as const;
    for (const [method, url] of routes) {
      const withApiToken = await t.app.inject({ method, url, headers: AUTH, payload: { name: 'a', declaredSamples: 1 } });
      expect(withApiToken.statusCode, `${method} ${url}`).toBe(403);
      expect(errorOf(withApiToken)).toEqual({
        code: 'FORBIDDEN',
        message: 'the /v1/admin routes take the admin token (FEDSSD_ADMIN_TOKEN), not the API token',
      });
      for (const headers of [{}, { authorization: `Bearer ${ADMIN_TOKEN}x` }, { authorization: `Basic ${ADMIN_TOKEN}` }]) {
        const res = await t.app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(errorOf(res).code).toBe('UNAUTHORIZED');
      }
    }
    // Refused before anything was done.
    expect(await t.transport.state.listSet('fedssd:sites')).toEqual([]);
  });

  it('when the admin token is sent to a normal /v1 route, then 403 FORBIDDEN names the API token', async () => {
    await withAdmin();
    for (const url of ['/v1/runs', '/v1/sites', '/v1/runs/r']) {
      const res = await t.app.inject({ url, headers: ADMIN_AUTH });
      expect(res.statusCode, url).toBe(403);
      expect(errorOf(res)).toEqual({
        code: 'FORBIDDEN',
        message: 'the /v1 routes take the API token (API_TOKEN); the admin token works on /v1/admin only',
      });
    }
    const post = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: ADMIN_AUTH, payload: {} });
    expect(post.statusCode).toBe(403);
    expect(await t.runs.listRuns()).toEqual([]);
  });

  it('when each token goes to its own routes, then both work', async () => {
    await withAdmin();
    expect((await t.app.inject({ url: '/v1/admin/sites', headers: ADMIN_AUTH })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/v1/runs', headers: AUTH })).statusCode).toBe(200);
  });

  it('when the app is built with the API token as admin token, then it refuses to start', async () => {
    await expect(build({ admin: { token: 'test-token-0123456789', sites: { unavailable: 'x' } } })).rejects.toThrow(
      'the admin token must differ from the API token',
    );
    t = await build(); // afterEach closes it
  });
});

describe('admin routes: switched off or not configured', () => {
  it('when no admin token is configured, then every admin route answers 503 ADMIN_DISABLED saying what to set, whatever the token', async () => {
    t = await build();
    for (const headers of [{}, AUTH, ADMIN_AUTH]) {
      for (const [method, url] of [
        ['POST', '/v1/admin/sites'],
        ['GET', '/v1/admin/sites'],
        ['DELETE', '/v1/admin/sites/a'],
      ] as const) {
        const res = await t.app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url}`).toBe(503);
        expect(errorOf(res).code).toBe('ADMIN_DISABLED');
        expect(errorOf(res).message).toMatch(/FEDSSD_ADMIN_TOKEN.*RABBITMQ_MANAGEMENT_URL, REDIS_ADMIN_URL/);
      }
    }
  });

  it('when the admin token is set but enrolment is not configured, then admin-token holders get 503 naming the missing settings; others 401', async () => {
    t = await build({
      admin: { token: ADMIN_TOKEN, sites: { unavailable: 'site enrolment is not configured on this api: set REDIS_ADMIN_URL' } },
    });
    const res = await enrol({ name: 'a', declaredSamples: 1 });
    expect(res.statusCode).toBe(503);
    expect(errorOf(res)).toEqual({ code: 'ADMIN_DISABLED', message: 'site enrolment is not configured on this api: set REDIS_ADMIN_URL' });
    const anonymous = await t.app.inject({ url: '/v1/admin/sites' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('admin routes: enrol, list, revoke', () => {
  it('when a site is enrolled, then 201 returns its record and bundle once, uncacheable, and GET /v1/sites lists it', async () => {
    const fake = await withAdmin();
    const res = await enrol({ name: 'clinic-1', declaredSamples: 20_000 });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.location).toBe('/v1/admin/sites/clinic-1');
    const body = res.json();
    expect(body.site).toMatchObject({ name: 'clinic-1', state: 'active', declaredSamples: 20_000, user: 'site-clinic-1' });
    for (const password of fake.passwordsOf('clinic-1')) expect(body.bundle.envFile).toContain(password);
    expect(body.bundle.secretYaml).toContain('kind: Secret');
    const listed = (await t.app.inject({ url: '/v1/sites', headers: AUTH })).json();
    expect(listed.sites).toEqual([expect.objectContaining({ name: 'clinic-1', state: 'active', declaredSamples: 20_000, live: false })]);
    const admin = await t.app.inject({ url: '/v1/admin/sites', headers: ADMIN_AUTH });
    expect(admin.json()).toEqual({ sites: [expect.objectContaining({ name: 'clinic-1', user: 'site-clinic-1' })] });
    for (const password of fake.passwordsOf('clinic-1')) expect(admin.body).not.toContain(password);
  });

  it('when a name is taken (also by a revoked site), then 409 SITE_EXISTS', async () => {
    await withAdmin();
    expect((await enrol({ name: 'a', declaredSamples: 1 })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/admin/sites/a', headers: ADMIN_AUTH })).statusCode).toBe(200);
    const again = await enrol({ name: 'a', declaredSamples: 1 });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toEqual({
      code: 'SITE_EXISTS',
      message: 'site a already exists; site names are never reused: choose another name',
    });
  });

  it('when the name or sample count is bad, then 400 VALIDATION_FAILED names the field and its range, and nothing is enrolled', async () => {
    await withAdmin();
    const cases: Array<[unknown, RegExp]> = [
      [
        { name: 'Clinic_1', declaredSamples: 5 },
        /^body\.name: must be a site name: 1-32 characters of \[a-z0-9-\], starting with a letter or digit \(got "Clinic_1"\)$/,
      ],
      [{ name: '-a', declaredSamples: 5 }, /body\.name: must be a site name/],
      [{ name: 'a'.repeat(33), declaredSamples: 5 }, /body\.name: must be a site name/],
      [{ declaredSamples: 5 }, /body\.name: must be a site name.*\(got nothing\)/],
      [{ name: 'a', declaredSamples: 0 }, /^body\.declaredSamples: must be an integer between 1 and 100000000 \(got 0\)$/],
      [{ name: 'a', declaredSamples: 1.5 }, /body\.declaredSamples: must be an integer between 1 and 100000000 \(got 1.5\)/],
      [{ name: 'a', declaredSamples: 100_000_001 }, /body\.declaredSamples: .*\(got 100000001\)/],
      [{ name: 'a', declaredSamples: '5' }, /body\.declaredSamples: .*\(got "5"\)/],
      [{ name: 'a', declaredSamples: 5, password: 'x' }, /password/],
    ];
    for (const [payload, message] of cases) {
      const res = await enrol(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(errorOf(res).code).toBe('VALIDATION_FAILED');
      expect(errorOf(res).message, JSON.stringify(payload)).toMatch(message);
    }
    const noBody = await t.app.inject({ method: 'POST', url: '/v1/admin/sites', headers: ADMIN_AUTH });
    expect(noBody.statusCode).toBe(400);
    expect(await t.transport.state.listSet('fedssd:sites')).toEqual([]);
  });

  it('when an unknown or badly named site is revoked, then 404 and 400 naming the parameter; a revoked site can be revoked again', async () => {
    await withAdmin();
    const unknown = await t.app.inject({ method: 'DELETE', url: '/v1/admin/sites/nobody', headers: ADMIN_AUTH });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown)).toEqual({ code: 'NOT_FOUND', message: 'site nobody is not enrolled' });
    const bad = await t.app.inject({ method: 'DELETE', url: '/v1/admin/sites/No%20Body', headers: ADMIN_AUTH });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toMatch(/^params\.name: must be a site name/);
    await enrol({ name: 'b', declaredSamples: 3 });
    const first = await t.app.inject({ method: 'DELETE', url: '/v1/admin/sites/b', headers: ADMIN_AUTH });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      site: expect.objectContaining({ name: 'b', state: 'revoked', revokedAt: '2026-12-05T10:00:00.000Z' }),
      rabbitConnectionsClosed: 0,
      redisConnectionsKilled: 1,
    });
    const second = await t.app.inject({ method: 'DELETE', url: '/v1/admin/sites/b', headers: ADMIN_AUTH });
    expect(second.statusCode).toBe(200);
    expect(second.json().site).toEqual(first.json().site);
    expect((await t.app.inject({ url: '/v1/sites', headers: AUTH })).json().sites[0]).toMatchObject({
      name: 'b',
      state: 'revoked',
      live: false,
    });
  });

  it('when the engines refuse or do not answer, then 409 SITE_CONFLICT or 503 UNAVAILABLE with the library message, never 500', async () => {
    const fake = await withAdmin();
    const cases: Array<[unknown, number, string, RegExp]> = [
      [
        new FederationError('CONFLICT', 'RabbitMQ user site-a already exists but site a is not enrolled'),
        409,
        'SITE_CONFLICT',
        /already exists/,
      ],
      [
        new FederationError('UNREACHABLE', 'cannot connect to Redis at REDIS_ADMIN_URL (connect ECONNREFUSED)'),
        503,
        'UNAVAILABLE',
        /REDIS_ADMIN_URL/,
      ],
      [new FederationError('ADMIN_API', 'RabbitMQ management API: PUT /api/users/site-a answered 401'), 503, 'UNAVAILABLE', /answered 401/],
      [
        Object.assign(new Error("NOPERM User x has no permissions to run the 'acl|setuser' command"), { name: 'ReplyError' }),
        503,
        'UNAVAILABLE',
        /^Redis refused an enrolment command \(NOPERM\); check the rights of the REDIS_ADMIN_URL user$/,
      ],
    ];
    for (const [error, status, code, message] of cases) {
      fake.failWith(error);
      const res = await enrol({ name: 'a', declaredSamples: 1 });
      expect(res.statusCode, code).toBe(status);
      expect(errorOf(res).code).toBe(code);
      expect(errorOf(res).message).toMatch(message);
    }
  });
});

describe('admin routes: secrets stay out of logs', () => {
  it('when a site is enrolled and revoked with info logging on, then no password appears in any log line', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const fake = await withAdmin({ logger: createLogger({ service: 'api', level: 'trace', destination }) });
    expect((await enrol({ name: 'logged', declaredSamples: 7 })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/admin/sites/logged', headers: ADMIN_AUTH })).statusCode).toBe(200);
    const log = lines.join('');
    expect(log).toContain('"msg":"site enrolled"'); // the lines were captured
    expect(log).toContain('"msg":"site revoked"');
    for (const secret of [...fake.passwordsOf('logged'), ADMIN_TOKEN]) expect(log).not.toContain(secret);
  });
});
