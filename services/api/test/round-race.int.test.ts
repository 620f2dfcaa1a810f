import { randomUUID } from 'node:crypto';
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

interface Replica {
  amqp: AmqpTransport;
  redis: RedisStores;
}

/** One api replica's connections under the shared test prefix, or why they cannot be made. */
async function connect(prefix: string, name: string): Promise<Replica | string> {
  let amqp: AmqpTransport | undefined;
  try {
    amqp = await createAmqpTransport({ url: RABBITMQ_URL, prefix, connectionName: `${prefix}-${name}`, startTimeoutMs: 3_000 });
    const redis = await createRedisStores({ url: REDIS_URL, keyPrefix: `${prefix}:`, connectTimeoutMs: 3_000 });
    return { amqp, redis };
  } catch (error) {
    await amqp?.close();
    return (error as Error).message;
  }
}

const prefix = `test-race-${randomUUID().slice(0, 8)}`;
const first = await connect(prefix, 'a');
const second = typeof first === 'string' ? first : await connect(prefix, 'b');
const unavailable = typeof first === 'string' ? first : typeof second === 'string' ? second : undefined;
if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`CI=true and RabbitMQ/Redis are unavailable: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  `concurrent round starts over real RabbitMQ and Redis${unavailable !== undefined ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    // Two api replicas, each with its own Redis and broker connections, as behind a load balancer.
    const replicas = [first, second] as Replica[];
    const apps: FastifyInstance[] = [];
    const commands: Message[] = [];

    beforeAll(async () => {
      for (const { amqp, redis } of replicas) {
        apps.push(
          await buildApp({
            runs: createRunRepository(redis.state, redis.blobs),
            bus: amqp.bus,
            metrics: createMetrics({ service: 'api', defaultMetrics: false }),
            apiToken: TOKEN,
            rateLimitPerMinute: 1_000,
          }),
        );
      }
      await replicas[0]!.amqp.bus.subscribe('control', async (message) => void commands.push(message));
    });

    afterAll(async () => {
      for (const app of apps) await app.close();
      await replicas[0]!.amqp.deleteTopology().catch(() => undefined);
      await replicas[0]!.redis.deleteAll();
      for (const { amqp, redis } of replicas) {
        await amqp.close();
        await redis.close();
      }
    });

    it('when 8 POST /v1/runs/:id/rounds arrive at once over two replicas, then exactly one is 202, seven are 409, and one round.start is published', async () => {
      const created = await apps[0]!.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: { clients: 2, rounds: 3 } });
      expect(created.statusCode).toBe(201);
      const { runId } = created.json<{ runId: string }>();

      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => apps[i % 2]!.inject({ method: 'POST', url: `/v1/runs/${runId}/rounds`, headers: AUTH })),
      );
      const statuses = answers.map((res) => res.statusCode).sort();
      expect(statuses).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
      expect(answers.find((res) => res.statusCode === 202)!.json()).toEqual({ runId, round: 1, status: 'requested' });
      for (const res of answers.filter((r) => r.statusCode === 409)) expect(res.json().error.code).toBe('ROUND_ALREADY_REQUESTED');

      // Every accepted command was confirmed before its answer; a marker published now arrives after all of them.
      const marker = `marker-${randomUUID().slice(0, 8)}`;
      await replicas[1]!.amqp.bus.publish({ type: 'run.stop', version: MESSAGE_VERSION, runId: marker, reason: 'end of test' });
      await vi.waitFor(() => expect(commands.some((c) => c.runId === marker)).toBe(true), { timeout: 10_000 });
      const starts = commands.filter((c) => c.type === 'round.start' && c.runId === runId);
      expect(starts).toHaveLength(1);
      expect(starts[0]).toMatchObject({ round: 1 });
    });
  },
);
