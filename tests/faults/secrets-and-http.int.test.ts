import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorShape } from './helpers/api-app.js';
import { requestArbitrary } from './helpers/fuzz-arbitraries.js';
import { startService, waitFor, type ServiceProcess } from '../../tools/test-support/processes.js';
import { createStack, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Every service runs with a known API token and a Redis password in its URL (Redis's default
 * user is `nopass`, so any password is accepted and the connection works), at debug level; the
 * test drives requests with right and wrong tokens, a fuzz batch over real HTTP, start-up
 * failures, and then greps everything the processes wrote for the secrets.
 */
const REDIS_SECRET = `redispw-${randomUUID()}`;
let stack: Stack | string;
const extra: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await createStack('secrets');
  if (typeof stack === 'string') return;
  const env = { REDIS_URL: `redis://default:${REDIS_SECRET}@127.0.0.1:6379`, LOG_LEVEL: 'debug', API_RATE_LIMIT_PER_MINUTE: '100000' };
  await startServices(stack, ['t1'], env);
});
afterAll(async () => {
  await Promise.all(extra.map((p) => p.kill()));
  if (typeof stack !== 'string') await stack?.cleanup();
});

describe('over real HTTP and real processes', () => {
  it('when 300 random requests reach the api process, then none gets a 5xx and every error keeps the one shape', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const created = await s.http<{ runId: string }>('POST', '/v1/runs', { clients: 2, rounds: 1 });
    expect(created.status).toBe(201);
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(requestArbitrary(s.token), async (request) => {
        const url = `${s.apiUrl}${request.url.replace(/^\/+/, '/')}`;
        // fetch refuses a few header values Fastify would see raw; those are the in-process fuzzer's job.
        let res: Response;
        try {
          res = await fetch(url, {
            method: request.method,
            headers: request.headers,
            ...(request.body !== undefined ? { body: request.body } : {}),
            signal: AbortSignal.timeout(10_000),
          });
        } catch (error) {
          if (error instanceof TypeError) return;
          throw error;
        }
        const body = await res.text();
        statuses.push(res.status);
        expect(res.status, `${request.method} ${request.url}`).toBeLessThan(500);
        if (res.status >= 400 && request.method !== 'HEAD') expectErrorShape(res.status, body, `${request.method} ${request.url}`);
      }),
      { numRuns: 300, seed: 7, endOnFailure: true },
    );
    expect(statuses.length).toBeGreaterThan(200);
    expect(s.services.get('api')!.child.exitCode).toBeNull();
  });

  it('when services log at debug through requests, failures and shutdown, then neither the API token nor the Redis password appears anywhere in their output', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    for (const authorization of [`Bearer ${s.token}`, `Bearer ${s.token}-wrong`, s.token]) {
      await fetch(`${s.apiUrl}/v1/runs`, { headers: { authorization } });
    }
    // (Request URLs are logged as sent: a token a client puts in a query string would show; the api never reads one there.)
    await fetch(`${s.apiUrl}/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: `{"dataDir": "${s.token}", "clients": 0}`,
    });
    // Start-up failures print their reason: a bad config and an unreachable Redis with the password in the URL.
    const badConfig = startService('bad-config', 'api', {
      ...s.env,
      API_TOKEN: s.token,
      API_PORT: '99999',
      REDIS_URL: `redis://default:${REDIS_SECRET}@127.0.0.1:6379`,
      RABBITMQ_URL: `http://guest:${REDIS_SECRET}@x`,
    });
    const noRedis = startService('no-redis', 'trainer', {
      ...s.env,
      TRAINER_METRICS_PORT: '0',
      REDIS_URL: `redis://default:${REDIS_SECRET}@127.0.0.1:1`,
    });
    extra.push(badConfig, noRedis);
    expect(await waitFor('bad config exit', async () => badConfig.exited, 30_000)).toBe(2);
    const noRedisCode = await Promise.race([noRedis.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000))]);
    const stopped = await Promise.all([...s.services.values()].map(async (p) => [p.name, await p.stop()] as const));
    expect(Object.fromEntries(stopped)).toEqual({ aggregator: 0, t1: 0, api: 0 });
    await noRedis.stop(5_000);
    const outputs = [...s.services.values(), badConfig, noRedis].map((p) => [p.name, p.output()] as const);
    expect(outputs.find(([n]) => n === 'api')![1]).toContain('request completed');
    expect(outputs.find(([n]) => n === 'bad-config')![1]).toMatch(/API_PORT/);
    for (const [name, text] of outputs) {
      const at = text.indexOf(s.token);
      expect(at, `${name} logged the API token: ${text.slice(Math.max(0, at - 300), at + 100)}`).toBe(-1);
      expect(text.includes(REDIS_SECRET), `${name} logged the Redis password (exit ${String(noRedisCode)})`).toBe(false);
      expect(text.includes('guest:guest@'), `${name} logged the broker URL with credentials`).toBe(false);
    }
  });
});
