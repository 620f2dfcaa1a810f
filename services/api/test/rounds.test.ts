import type { MetricsRow, RoundRecord } from '@fedssd/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTH, build, errorOf, settle, type TestApp } from './helper.js';

let t: TestApp;
afterEach(async () => t.close());

const post = (url: string) => t.app.inject({ method: 'POST', url, headers: AUTH });

describe('rounds', () => {
  it('when no round is open, then 202 requests round currentRound + 1 and round.start carries that number', async () => {
    t = await build();
    await t.createRun({ rounds: 3 });
    await t.runs.updateRun('run-1', (r) => ({ ...r, status: 'running', currentRound: 1, roundStatus: 'closed', globalVersion: 1 }));
    const res = await post('/v1/runs/run-1/rounds');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ runId: 'run-1', round: 2, status: 'requested' });
    await vi.waitFor(() => expect(t.commands.at(-1)).toMatchObject({ type: 'round.start', runId: 'run-1', round: 2 }));
  });

  it('when a round of the run is open, collecting or aggregating, then a second request is 409 ROUND_IN_PROGRESS', async () => {
    t = await build();
    await t.createRun();
    for (const roundStatus of ['open', 'collecting', 'aggregating'] as const) {
      await t.runs.updateRun('run-1', (r) => ({ ...r, status: 'running', currentRound: 1, roundStatus }));
      const res = await post('/v1/runs/run-1/rounds');
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toEqual({ code: 'ROUND_IN_PROGRESS', message: `round 1 of run run-1 is ${roundStatus}; wait for it to close` });
    }
    await settle();
    expect(t.commands.map((c) => c.type)).toEqual(['run.start']);
  });

  it('when the run is finished, stopped or stopping, then 409 RUN_NOT_ACTIVE; when all rounds ran, then 409 RUN_COMPLETE', async () => {
    t = await build();
    await t.createRun({ rounds: 2 });
    for (const status of ['finished', 'stopped', 'stopping', 'failed'] as const) {
      await t.runs.updateRun('run-1', (r) => ({ ...r, status }));
      const res = await post('/v1/runs/run-1/rounds');
      expect(res.statusCode).toBe(409);
      expect(errorOf(res).code).toBe('RUN_NOT_ACTIVE');
    }
    await t.runs.updateRun('run-1', (r) => ({ ...r, status: 'running', currentRound: 2, roundStatus: 'closed' }));
    const done = await post('/v1/runs/run-1/rounds');
    expect(done.statusCode).toBe(409);
    expect(errorOf(done)).toEqual({ code: 'RUN_COMPLETE', message: 'run run-1 already ran all 2 rounds' });
  });

  it('when round 1 was requested and has not opened yet, then a second request is 409 ROUND_ALREADY_REQUESTED and one round.start went out', async () => {
    t = await build();
    await t.createRun();
    expect((await post('/v1/runs/run-1/rounds')).statusCode).toBe(202);
    expect(await t.runs.getRun('run-1')).toMatchObject({ currentRound: 0, requestedRound: 1 });
    const again = await post('/v1/runs/run-1/rounds');
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toEqual({
      code: 'ROUND_ALREADY_REQUESTED',
      message: 'round 1 of run run-1 was already requested; wait for it to open and close',
    });
    await settle();
    expect(t.commands.filter((c) => c.type === 'round.start')).toHaveLength(1);
    // Once the aggregator ran round 1, round 2 may be requested.
    await t.runs.updateRun('run-1', (r) => ({ ...r, status: 'running', currentRound: 1, roundStatus: 'closed' }));
    expect((await post('/v1/runs/run-1/rounds')).json()).toEqual({ runId: 'run-1', round: 2, status: 'requested' });
  });

  it('when the broker rejects round.start, then 503 UNAVAILABLE and the request is withdrawn, so a retry is accepted', async () => {
    t = await build();
    await t.createRun();
    const publish = t.transport.bus.publish.bind(t.transport.bus);
    t.transport.bus.publish = async () => {
      throw new Error('channel closed');
    };
    const failed = await post('/v1/runs/run-1/rounds');
    expect(failed.statusCode).toBe(503);
    expect(errorOf(failed)).toEqual({
      code: 'UNAVAILABLE',
      message: 'the message broker did not accept the round.start command; retry later',
    });
    expect((await t.runs.getRun('run-1'))?.requestedRound).toBe(0);
    t.transport.bus.publish = publish;
    expect((await post('/v1/runs/run-1/rounds')).statusCode).toBe(202);
    await vi.waitFor(() => expect(t.commands.at(-1)).toMatchObject({ type: 'round.start', round: 1 }));
  });

  it('when the run is unknown, then 404', async () => {
    t = await build();
    expect((await post('/v1/runs/ghost/rounds')).statusCode).toBe(404);
  });

  it('when a round record exists, then GET returns it; a missing round 404; a non-numeric round 400 naming params.round', async () => {
    t = await build();
    await t.createRun();
    const record: RoundRecord = {
      runId: 'run-1',
      round: 1,
      status: 'collecting',
      selected: [0, 2],
      baseVersion: 0,
      openedAt: '2026-01-01T00:00:00.000Z',
      deadline: 1_800_000,
      accepted: [],
      rejected: [{ clientId: 2, reason: 'non-finite' }],
    };
    await t.runs.putRound(record);
    const res = await t.app.inject({ url: '/v1/runs/run-1/rounds/1', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(record);
    const missing = await t.app.inject({ url: '/v1/runs/run-1/rounds/2', headers: AUTH });
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).message).toBe('round 2 of run run-1 not found');
    const bad = await t.app.inject({ url: '/v1/runs/run-1/rounds/zero', headers: AUTH });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toBe('params.round: must be an integer between 1 and 10000 (got "zero")');
    const tooBig = await t.app.inject({ url: '/v1/runs/run-1/rounds/10001', headers: AUTH });
    expect(errorOf(tooBig).message).toBe('params.round: must be an integer between 1 and 10000 (got 10001)');
  });

  it('when rounds closed, then GET /metrics returns the per-round history oldest first', async () => {
    t = await build();
    await t.createRun();
    const row = (round: number): MetricsRow => ({
      round,
      globalVersion: round,
      outcome: 'all-reported',
      accepted: 2,
      rejected: 0,
      durationMs: 1234,
      samples: 200,
      loss: { total: 1, align: 0.5, uniformity: -2, dsr: 0.1, pd: 0.2 },
      knnAccuracy: 0.3 + round / 10,
      uniformity: -3,
      effectiveRank: 40,
      interClientUniformity: null,
    });
    await t.runs.appendMetrics('run-1', row(1));
    await t.runs.appendMetrics('run-1', row(2));
    const res = await t.app.inject({ url: '/v1/runs/run-1/metrics', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ runId: 'run-1', rounds: [row(1), row(2)] });
    expect((await t.app.inject({ url: '/v1/runs/ghost/metrics', headers: AUTH })).statusCode).toBe(404);
  });
});
