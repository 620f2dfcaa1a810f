import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTH, build, errorOf, type TestApp } from './helper.js';

let t: TestApp;
afterEach(async () => t.close());

describe('runs', () => {
  it('when a valid config is posted, then 201 returns the run record and run.start is published with the defaults applied', async () => {
    t = await build();
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { method: 'dsr', clients: 4, rounds: 2 } });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/runs/run-1');
    const run = res.json();
    expect(run).toMatchObject({ runId: 'run-1', status: 'created', currentRound: 0, roundStatus: 'none', globalVersion: 0 });
    expect(run.config).toMatchObject({ method: 'dsr', clients: 4, rounds: 2, batchSize: 128, dsr: { scale: 10 } });
    expect(await t.runs.getRun('run-1')).toEqual(run);
    await vi.waitFor(() => expect(t.commands).toHaveLength(1));
    expect(t.commands[0]).toMatchObject({ type: 'run.start', version: 1, runId: 'run-1', config: { method: 'dsr', clients: 4 } });
  });

  it('when the body is absent, then every default applies', async () => {
    t = await build();
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH });
    expect(res.statusCode).toBe(201);
    expect(res.json().config).toMatchObject({ method: 'ssd', clients: 10, rounds: 100 });
  });

  it('when fields are out of range or unknown, then 400 VALIDATION_FAILED names each field and its range, and nothing is stored', async () => {
    t = await build();
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { clients: 0, lr: -1, clinets: 3 } });
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('body.clients: must be between 1 and 1000 (got 0)');
    expect(error.message).toMatch(/body\.lr: must be a number in \(0, 100\] \(got -1\)/);
    expect(error.message).toContain('clinets');
    expect(await t.runs.listRuns()).toEqual([]);
  });

  it('when the body is a JSON array, then 400 names the body', async () => {
    t = await build();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/runs',
      payload: '[1]',
      headers: { ...AUTH, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toMatch(/^body/);
  });

  it('when runs exist, then GET /v1/runs lists them oldest first and GET /v1/runs/:id reads one', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    t = await build({ now: () => new Date((clock += 1000)) });
    await t.createRun({ clients: 2 });
    await t.createRun({ clients: 3 });
    const list = await t.app.inject({ url: '/v1/runs', headers: AUTH });
    expect(list.statusCode).toBe(200);
    expect(list.json().runs.map((r: { runId: string }) => r.runId)).toEqual(['run-1', 'run-2']);
    const one = await t.app.inject({ url: '/v1/runs/run-2', headers: AUTH });
    expect(one.json()).toMatchObject({ runId: 'run-2', config: { clients: 3 } });
  });

  it('when the run does not exist, then 404 NOT_FOUND; when the id has forbidden characters, then 400', async () => {
    t = await build();
    const missing = await t.app.inject({ url: '/v1/runs/nope', headers: AUTH });
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing)).toEqual({ code: 'NOT_FOUND', message: 'run nope not found' });
    const bad = await t.app.inject({ url: '/v1/runs/a.b', headers: AUTH });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toMatch(/^params\.id: must be 1-64 characters/);
  });

  it('when a running run is stopped, then 202 with status stopping, run.stop is published, and stopping again is idempotent', async () => {
    t = await build();
    await t.createRun();
    await t.runs.updateRun('run-1', (r) => ({ ...r, status: 'running' }));
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs/run-1/stop', headers: AUTH });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('stopping');
    const again = await t.app.inject({ method: 'POST', url: '/v1/runs/run-1/stop', headers: AUTH });
    expect(again.statusCode).toBe(202);
    await vi.waitFor(() => expect(t.commands.map((c) => c.type)).toEqual(['run.start', 'run.stop']));
  });

  it('when a finished run is stopped, then 409 RUN_NOT_ACTIVE; an unknown run 404', async () => {
    t = await build();
    await t.createRun();
    await t.runs.updateRun('run-1', (r) => ({ ...r, status: 'finished' }));
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs/run-1/stop', headers: AUTH });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).code).toBe('RUN_NOT_ACTIVE');
    expect((await t.app.inject({ method: 'POST', url: '/v1/runs/x/stop', headers: AUTH })).statusCode).toBe(404);
  });

  it('when the broker rejects run.start, then 503 UNAVAILABLE and the run is marked failed', async () => {
    t = await build();
    t.transport.bus.publish = async () => {
      throw new Error('channel closed');
    };
    const res = await t.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: {} });
    expect(res.statusCode).toBe(503);
    expect(errorOf(res).code).toBe('UNAVAILABLE');
    expect(await t.runs.getRun('run-1')).toMatchObject({ status: 'failed', error: 'could not publish run.start' });
  });
});
