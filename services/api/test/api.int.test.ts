import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { MESSAGE_VERSION, type Message } from '@fedssd/protocol';
import { createMetrics } from '@fedssd/telemetry';
import { createAmqpTransport, createRedisStores, createRunRepository, type AmqpTransport, type RedisStores } from '@fedssd/transport';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/index.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'integration-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** Connects both adapters under a unique prefix, or says why it cannot. */
async function connect(prefix: string): Promise<{ amqp: AmqpTransport; redis: RedisStores } | string> {
  let amqp: AmqpTransport | undefined;
  try {
    amqp = await createAmqpTransport({ url: RABBITMQ_URL, prefix, connectionName: prefix, startTimeoutMs: 3_000 });
    const redis = await createRedisStores({ url: REDIS_URL, keyPrefix: `${prefix}:`, connectTimeoutMs: 3_000 });
    return { amqp, redis };
  } catch (error) {
    await amqp?.close();
    return (error as Error).message;
  }
}

const prefix = `test-api-${randomUUID().slice(0, 8)}`;
const connected = await connect(prefix);
const unavailable = typeof connected === 'string' ? connected : undefined;
if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`CI=true and RabbitMQ/Redis are unavailable: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  `api over real RabbitMQ and Redis${unavailable !== undefined ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const { amqp, redis } = connected as { amqp: AmqpTransport; redis: RedisStores };
    let app: FastifyInstance;
    const commands: Message[] = [];

    beforeAll(async () => {
      app = await buildApp({
        runs: createRunRepository(redis.state, redis.blobs),
        bus: amqp.bus,
        metrics: createMetrics({ service: 'api', defaultMetrics: false }),
        apiToken: TOKEN,
        readiness: { broker: async () => void (await amqp.jobs.depth()), redis: () => redis.state.ping() },
      });
      await amqp.bus.subscribe('control', async (message) => void commands.push(message));
    });

    afterAll(async () => {
      await app?.close();
      await amqp.deleteTopology().catch(() => undefined);
      await amqp.close();
      await redis.deleteAll();
      await redis.close();
    });

    it('when a run is created, then it is stored in Redis and run.start arrives on the control queue', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { clients: 2, rounds: 1 } });
      expect(res.statusCode).toBe(201);
      const { runId } = res.json<{ runId: string }>();
      expect((await app.inject({ url: `/v1/runs/${runId}`, headers: AUTH })).json()).toMatchObject({ runId, status: 'created' });
      await vi.waitFor(() => expect(commands.find((c) => c.runId === runId)).toMatchObject({ type: 'run.start', config: { clients: 2 } }), {
        timeout: 5_000,
      });
    });

    it('when an event is logged and published on the real fanout (as the aggregator does), then an SSE client of that run receives it', async () => {
      const { runId } = (await app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: {} })).json<{ runId: string }>();
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/v1/runs/${runId}/events`, { headers: AUTH });
      // The run's event log (a Redis stream) is what the stream serves; the fanout wakes it.
      const finished = { type: 'run.finished', version: MESSAGE_VERSION as 1, runId, roundsCompleted: 1, globalVersion: 1 } as const;
      await createRunRepository(redis.state, redis.blobs).appendEvent(finished);
      await amqp.bus.publish(finished);
      const text = await res.text(); // the stream ends after run.finished
      expect(text).toContain('event: run.finished');
      expect(text).toContain(`"runId":"${runId}"`);
    });

    it('then /readyz reports both dependencies ok', async () => {
      const res = await app.inject({ url: '/readyz' });
      expect(res.json()).toEqual({ status: 'ready', checks: { broker: 'ok', redis: 'ok' } });
    });
  },
);
