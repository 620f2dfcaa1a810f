import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '@fedssd/data/node';
import { simulateRun } from '@fedssd/runtime';
import { MetricsRowSchema, RunConfigSchema, type RunRecord } from '@fedssd/protocol';
import { encodeWeights, initBackend } from '@fedssd/tensor';
import { createAmqpTransport, createRedisStores, createRunRepository, type AmqpTransport, type RedisStores } from '@fedssd/transport';
import { freePort, startService, waitFor, type ServiceProcess } from '../../../tools/test-support/processes.js';
import { dashboardAndRuleMetrics } from './queried-metrics.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `e2e-${randomUUID().slice(0, 8)}`;
const TOKEN = `e2e-token-${randomUUID()}`;
/** Small enough for two cores: 3 clients x 40 images, 3 batches each, two rounds. */
const RUN = { clients: 3, rounds: 2, trainLimit: 120, batchSize: 16, alpha: 100, localEpochs: 1, seed: 7, autoAdvance: true, evalEvery: 1 };

/** Connects to the real broker and Redis under this test's prefix, or says why it cannot. */
async function connect(): Promise<{ amqp: AmqpTransport; redis: RedisStores } | string> {
  let amqp: AmqpTransport | undefined;
  try {
    amqp = await createAmqpTransport({ url: RABBITMQ_URL, prefix: PREFIX, connectionName: PREFIX, startTimeoutMs: 3_000 });
    const redis = await createRedisStores({ url: REDIS_URL, keyPrefix: `${PREFIX}:`, connectTimeoutMs: 3_000 });
    return { amqp, redis };
  } catch (error) {
    await amqp?.close().catch(() => undefined);
    return `RabbitMQ (${RABBITMQ_URL}) or Redis (${REDIS_URL}) not reachable: ${(error as Error).message}`;
  }
}

const services: ServiceProcess[] = [];
let stores: { amqp: AmqpTransport; redis: RedisStores } | undefined;

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  if (stores) {
    await stores.amqp.deleteTopology().catch(() => undefined);
    await stores.amqp.close();
    await stores.redis.deleteAll();
    await stores.redis.close();
  }
});

describe('end to end: api + aggregator + two trainers as processes on RabbitMQ and Redis', () => {
  it('when a run is created over HTTP, then two rounds finish, metrics show, and the final model equals simulateRun bit for bit', async (ctx) => {
    const connected = await connect();
    if (typeof connected === 'string') {
      if (process.env.CI === 'true') throw new Error(`CI=true and ${connected}`);
      ctx.skip(connected);
      return;
    }
    stores = connected;
    const [apiPort, aggPort, t1Port, t2Port] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const common = { RABBITMQ_URL, REDIS_URL, FEDSSD_PREFIX: PREFIX, LOG_LEVEL: 'info', FEDSSD_BACKEND: 'wasm' };
    services.push(
      startService('aggregator', 'aggregator', {
        ...common,
        AGGREGATOR_METRICS_PORT: String(aggPort),
        AGGREGATOR_METRICS_HOST: '127.0.0.1',
        AGGREGATOR_EVAL_TEST_LIMIT: '100',
      }),
    );
    services.push(
      startService('trainer-1', 'trainer', {
        ...common,
        TRAINER_METRICS_PORT: String(t1Port),
        TRAINER_METRICS_HOST: '127.0.0.1',
        TRAINER_ID: 'e2e-1',
      }),
    );
    services.push(
      startService('trainer-2', 'trainer', {
        ...common,
        TRAINER_METRICS_PORT: String(t2Port),
        TRAINER_METRICS_HOST: '127.0.0.1',
        TRAINER_ID: 'e2e-2',
      }),
    );
    services.push(startService('api', 'api', { ...common, API_PORT: String(apiPort), API_HOST: '127.0.0.1', API_TOKEN: TOKEN }));
    const dump = () => services.map((s) => `----- ${s.name} -----\n${s.output().slice(-4000)}`).join('\n');
    const api = `http://127.0.0.1:${apiPort}`;
    const auth = { authorization: `Bearer ${TOKEN}` };

    // Meanwhile, the reference: the same run in this process (same backend, same data loader arguments).
    const config = RunConfigSchema.parse(RUN);
    await initBackend('wasm');
    const train = await loadDataset({ name: config.dataset, split: 'train', limit: RUN.trainLimit, seed: config.seed });
    const test = await loadDataset({ name: config.dataset, split: 'test', limit: 50, seed: config.seed });

    try {
      await waitFor(
        'api and aggregator',
        async () => {
          const [a, b] = await Promise.all([fetch(`${api}/healthz`), fetch(`http://127.0.0.1:${aggPort}/healthz`)]);
          return a.ok && b.ok ? true : undefined;
        },
        60_000,
      );
      const created = await fetch(`${api}/v1/runs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(RUN),
      });
      expect(created.status).toBe(201);
      const { runId } = (await created.json()) as RunRecord;
      const reference = simulateRun(config, { train, test }, { backend: 'wasm', probeEpochs: 0 });

      const run = await waitFor(
        'run to finish',
        async () => {
          const r = (await (await fetch(`${api}/v1/runs/${runId}`, { headers: auth })).json()) as RunRecord;
          if (r.status === 'failed') throw new Error(`run failed: ${r.error}`);
          return r.status === 'finished' ? r : undefined;
        },
        240_000,
        500,
      );
      expect(run).toMatchObject({ status: 'finished', currentRound: 2, globalVersion: 2 });

      const { rounds } = (await (await fetch(`${api}/v1/runs/${runId}/metrics`, { headers: auth })).json()) as { rounds: unknown[] };
      expect(rounds).toHaveLength(2);
      rounds.forEach((raw, i) => {
        const row = MetricsRowSchema.parse(raw);
        expect(row).toMatchObject({ round: i + 1, globalVersion: i + 1, outcome: 'all-reported', accepted: 3 });
        for (const v of [row.knnAccuracy, row.uniformity, row.effectiveRank, row.interClientUniformity, row.loss?.total])
          expect(Number.isFinite(v)).toBe(true);
      });
      const text = await (await fetch(`http://127.0.0.1:${aggPort}/metrics`)).text();
      expect(text).toMatch(/fedssd_rounds_total\{[^}]*outcome="all-reported"[^}]*\} 2/);

      // Every fedssd_* metric a Grafana panel or alert queries is exported live by some service.
      const live = (
        await Promise.all(
          [`${api}/metrics`, ...[aggPort, t1Port, t2Port].map((p) => `http://127.0.0.1:${p}/metrics`)].map(async (url) =>
            (await fetch(url)).text(),
          ),
        )
      ).join('\n');
      const exported = new Set([...live.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      const queried = dashboardAndRuleMetrics();
      expect(queried.size).toBeGreaterThan(10);
      expect([...queried].filter((name) => !exported.has(name))).toEqual([]);

      const { weights } = await reference;
      const stored = await createRunRepository(stores.redis.state, stores.redis.blobs).getModel(runId, 2);
      expect(stored).not.toBeNull();
      expect(Buffer.from(stored!).equals(Buffer.from(encodeWeights(weights)))).toBe(true);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${dump()}`, { cause: error });
    }
    // SIGTERM: every service shuts down cleanly.
    const codes = await Promise.all(services.splice(0).map(async (s) => [s.name, await s.stop()] as const));
    expect(Object.fromEntries(codes)).toEqual({ aggregator: 0, 'trainer-1': 0, 'trainer-2': 0, api: 0 });
  }, 300_000);
});
