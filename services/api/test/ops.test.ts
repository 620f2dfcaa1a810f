import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, build, errorOf, type TestApp } from './helper.js';

let t: TestApp;

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
