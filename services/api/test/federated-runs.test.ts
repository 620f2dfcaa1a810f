import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, build, errorOf, settle, type TestApp } from './helper.js';
import { seedSite } from './site-fixtures.js';

let t: TestApp;
afterEach(async () => t.close());

const FEDERATED = { mode: 'federated', inputShape: [28, 28, 1], rounds: 3 } as const;
const create = (payload: object) => t.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload });

describe('POST /v1/runs in federated mode: sites are checked against the registry', () => {
  it('when the named sites are enrolled and active, then 201 with the config as given and run.start is published', async () => {
    t = await build();
    await seedSite(t.transport.state, { name: 'a' });
    await seedSite(t.transport.state, { name: 'b' });
    const res = await create({ ...FEDERATED, sites: ['a', 'b'] });
    expect(res.statusCode).toBe(201);
    expect(res.json().config).toMatchObject({ mode: 'federated', sites: ['a', 'b'], inputShape: [28, 28, 1] });
    await settle();
    expect(t.commands).toEqual([expect.objectContaining({ type: 'run.start', config: expect.objectContaining({ sites: ['a', 'b'] }) })]);
  });

  it('when named sites are unknown, revoked or still pending, then 400 names each group, and no run or command exists', async () => {
    t = await build();
    await seedSite(t.transport.state, { name: 'ok' });
    await seedSite(t.transport.state, { name: 'gone', state: 'revoked', revokedAt: '2026-12-02T00:00:00Z' });
    await seedSite(t.transport.state, { name: 'half', state: 'pending', enrolledAt: undefined });
    const res = await create({ ...FEDERATED, sites: ['ok', 'ghost', 'gone', 'half', 'nobody'] });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toEqual({
      code: 'VALIDATION_FAILED',
      message:
        'body.sites: every site must be enrolled and active; not enrolled: ghost, nobody; revoked: gone; enrolment not finished (pending): half (GET /v1/sites lists them)',
    });
    await settle();
    expect(await t.runs.listRuns()).toEqual([]);
    expect(t.commands).toEqual([]);
  });

  it('when no sites are named, then the run needs at least one active site (revoked ones do not count)', async () => {
    t = await build();
    await seedSite(t.transport.state, { name: 'gone', state: 'revoked' });
    const refused = await create(FEDERATED);
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).message).toMatch(/^body\.sites: no site is enrolled and active.*POST \/v1\/admin\/sites or fedssd site add/);
    await seedSite(t.transport.state, { name: 'live' });
    const res = await create(FEDERATED);
    expect(res.statusCode).toBe(201);
    // The aggregator resolves "all active sites" when it starts the run; the api stores the config as given.
    expect(res.json().config.sites).toBeUndefined();
  });

  it('when the federated config itself is incomplete, then the schema names the field before any registry lookup', async () => {
    t = await build({ sites: undefined });
    const res = await create({ mode: 'federated', sites: ['a'] });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toMatch(/body\.inputShape: is required when mode is 'federated'/);
    const simulation = await create({ mode: 'simulation', sites: ['a'] });
    expect(errorOf(simulation).message).toMatch(/body\.sites: only applies when mode is 'federated'/);
  });

  it('when the app has no site registry, then federated runs are refused with 503 and simulation runs still work', async () => {
    t = await build({ sites: undefined });
    const res = await create({ ...FEDERATED, sites: ['a'] });
    expect(res.statusCode).toBe(503);
    expect(errorOf(res).code).toBe('UNAVAILABLE');
    expect((await create({ clients: 2 })).statusCode).toBe(201);
  });

  it('when a simulation run is created with an empty registry, then it is not looked at', async () => {
    t = await build();
    expect((await create({ clients: 2 })).statusCode).toBe(201);
  });
});
