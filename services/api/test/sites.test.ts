import { siteLivenessKey, siteRecordKey } from '@fedssd/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, build, errorOf, type TestApp } from './helper.js';
import { seedSite } from './site-fixtures.js';

let t: TestApp;
afterEach(async () => t.close());

const NOW = Date.parse('2026-12-05T10:00:00.000Z');
const get = () => t.app.inject({ url: '/v1/sites', headers: AUTH });

describe('GET /v1/sites', () => {
  it('when no site is enrolled, then an empty list with the liveness window (30 s by default)', async () => {
    t = await build();
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ livenessWindowMs: 30_000, sites: [] });
  });

  it('when sites heartbeat at different ages, then live means active with a heartbeat at most 30 s old, and every field is shown', async () => {
    t = await build({ now: () => new Date(NOW) });
    const heartbeat = { samples: 800, backend: 'cpu-native', softwareVersion: '0.1.0' };
    await seedSite(
      t.transport.state,
      { name: 'fresh' },
      {
        ...heartbeat,
        lastHeartbeatAt: NOW - 10_000,
        lastUpdateAt: NOW - 60_000,
        lastRunId: 'run-7',
        lastRound: 3,
      },
    );
    await seedSite(t.transport.state, { name: 'edge' }, { ...heartbeat, lastHeartbeatAt: NOW - 30_000 });
    await seedSite(t.transport.state, { name: 'stale' }, { ...heartbeat, lastHeartbeatAt: NOW - 30_001 });
    await seedSite(
      t.transport.state,
      { name: 'gone', state: 'revoked', revokedAt: '2026-12-05T09:59:59.000Z' },
      {
        ...heartbeat,
        lastHeartbeatAt: NOW - 1_000,
      },
    );
    await seedSite(t.transport.state, { name: 'silent', declaredSamples: 50 });
    await seedSite(t.transport.state, { name: 'half', state: 'pending', enrolledAt: undefined });
    const res = await get();
    expect(res.statusCode).toBe(200);
    const { sites } = res.json<{ sites: Array<Record<string, unknown>> }>();
    expect(sites.map((s) => [s.name, s.live])).toEqual([
      ['edge', true],
      ['fresh', true],
      ['gone', false], // revoked: never live, whatever its last heartbeat
      ['half', false],
      ['silent', false],
      ['stale', false],
    ]);
    expect(sites.find((s) => s.name === 'fresh')).toEqual({
      name: 'fresh',
      state: 'active',
      declaredSamples: 1000,
      enrolledAt: '2026-12-01T00:00:01.000Z',
      revokedAt: null,
      live: true,
      lastHeartbeatAt: '2026-12-05T09:59:50.000Z',
      heartbeatAgeSeconds: 10,
      samples: 800,
      backend: 'cpu-native',
      softwareVersion: '0.1.0',
      lastUpdate: { at: '2026-12-05T09:59:00.000Z', runId: 'run-7', round: 3 },
    });
    expect(sites.find((s) => s.name === 'silent')).toMatchObject({
      declaredSamples: 50,
      live: false,
      lastHeartbeatAt: null,
      heartbeatAgeSeconds: null,
      samples: null,
      backend: null,
      softwareVersion: null,
      lastUpdate: null,
    });
    expect(sites.find((s) => s.name === 'gone')).toMatchObject({ state: 'revoked', revokedAt: '2026-12-05T09:59:59.000Z' });
    expect(sites.find((s) => s.name === 'half')).toMatchObject({ state: 'pending', enrolledAt: null });
    // The broker/Redis user name is the admin view's business; no credential field exists at all.
    expect(res.body).not.toMatch(/"user"|password/i);
  });

  it('when SITE_LIVENESS_MS is 60 s, then a site last heard 45 s ago is live and the window is reported', async () => {
    t = await build({ now: () => new Date(NOW), siteLivenessMs: 60_000 });
    await seedSite(
      t.transport.state,
      { name: 'slow' },
      { samples: 1, backend: 'wasm', softwareVersion: '0', lastHeartbeatAt: NOW - 45_000 },
    );
    const body = (await get()).json<{ livenessWindowMs: number; sites: Array<{ live: boolean }> }>();
    expect(body.livenessWindowMs).toBe(60_000);
    expect(body.sites[0]!.live).toBe(true);
  });

  it('when a liveness record is corrupt, then that site shows as never heard from and the others are unaffected', async () => {
    t = await build({ now: () => new Date(NOW) });
    await seedSite(t.transport.state, { name: 'a' }, { samples: 1, backend: 'wasm', softwareVersion: '0', lastHeartbeatAt: NOW });
    await seedSite(t.transport.state, { name: 'b' });
    await t.transport.state.setJson(siteLivenessKey('b'), { site: 'b', lastHeartbeatAt: 'yesterday' });
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(
      res.json().sites.map((s: { name: string; live: boolean; lastHeartbeatAt: string | null }) => [s.name, s.live, s.lastHeartbeatAt]),
    ).toEqual([
      ['a', true, '2026-12-05T10:00:00.000Z'],
      ['b', false, null],
    ]);
  });

  it('when an enrolment record is corrupt, then 500 INTERNAL without internals', async () => {
    t = await build();
    await seedSite(t.transport.state, { name: 'a' });
    await t.transport.state.setJson(siteRecordKey('a'), { name: 'a', state: 'weird' });
    const res = await get();
    expect(res.statusCode).toBe(500);
    expect(errorOf(res)).toEqual({ code: 'INTERNAL', message: 'internal error; see the server log' });
  });

  it('when the app has no site registry, then 503 UNAVAILABLE rather than an empty list', async () => {
    t = await build({ sites: undefined });
    const res = await get();
    expect(res.statusCode).toBe(503);
    expect(errorOf(res)).toEqual({ code: 'UNAVAILABLE', message: 'the site registry is not available on this api' });
  });

  it('when the token is missing, then 401 like every /v1 route', async () => {
    t = await build();
    expect((await t.app.inject({ url: '/v1/sites' })).statusCode).toBe(401);
  });
});
