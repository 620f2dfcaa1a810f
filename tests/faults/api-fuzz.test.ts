import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, expectErrorShape, inProcessApi, TOKEN, type InProcessApi } from './helpers/api-app.js';
import { requestArbitrary, type FuzzRequest } from './helpers/fuzz-arbitraries.js';

/**
 * Property: whatever a client sends, the api answers below 500 with the one error shape, and it
 * keeps serving. 2000 random requests (bodies, headers, paths) through Fastify's inject over the
 * in-memory fakes; the seed is fixed so a failure reproduces (FEDSSD_FUZZ_SEED overrides it).
 */
const RUNS = Number(process.env.FEDSSD_FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FEDSSD_FUZZ_SEED ?? 20261126);

let api: InProcessApi;
beforeAll(async () => {
  // No rate limit in the way: volume is the point here (the limit has its own test).
  api = await inProcessApi({ rateLimitPerMinute: 1_000_000, bodyLimitBytes: 65_536 });
  const created = await api.app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { clients: 2, rounds: 1 } });
  expect(created.statusCode).toBe(201);
  await api.runs.putSpec('run-1', { kind: 'small', inputShape: [28, 28, 1], featureDim: 128, width: 1 });
  await api.runs.putModel('run-1', 0, new Uint8Array([1, 2, 3]));
});
afterAll(async () => api?.close());

async function send(request: FuzzRequest) {
  // SSE streams never end by themselves; the arbitrary avoids them, and this bound catches a slip.
  const response = api.app.inject({
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.body !== undefined ? { payload: request.body } : {}),
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within 5 s: ${request.method} ${request.url}`)), 5_000).unref(),
  );
  return Promise.race([response, timeout]);
}

describe('api fuzzing (fast-check, in-process)', () => {
  it(`when ${RUNS} random requests arrive, then none gets a 5xx, every error has the one shape, and the api still serves`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArbitrary(TOKEN), async (request) => {
        const res = await send(request);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const context = `${request.method} ${request.url} headers=${JSON.stringify(request.headers)} body=${String(request.body).slice(0, 200)}`;
        expect(res.statusCode, context).toBeLessThan(500);
        if (res.statusCode >= 400 && request.method !== 'HEAD') expectErrorShape(res.statusCode, res.body, context);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // The generator must actually reach the handlers, not only the auth and 404 paths.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(4);
    const health = await api.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const list = await api.app.inject({ url: '/v1/runs', headers: AUTH });
    expect(list.statusCode).toBe(200);
  }, 120_000);
});
