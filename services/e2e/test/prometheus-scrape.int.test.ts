import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createAmqpTransport, createRedisStores, type AmqpTransport, type RedisStores } from '@fedssd/transport';
import { dashboardPanelQueries } from './queried-metrics.js';
import { freePort, startService, waitFor, type ServiceProcess } from '../../../tools/test-support/processes.js';
import { missingBinaries, startPrometheus, startRedisExporter, type PrometheusServer } from './prometheus.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** RabbitMQ's own Prometheus endpoint (plugin rabbitmq_prometheus). */
const RABBITMQ_METRICS = process.env.RABBITMQ_METRICS_ADDR ?? '127.0.0.1:15692';
const PREFIX = `scrape-${randomUUID().slice(0, 8)}`;
const TOKEN = `scrape-token-${randomUUID()}`;
/** Tiny: 3 clients x 30 images, two rounds, evaluated every round. */
const RUN = { clients: 3, rounds: 2, trainLimit: 90, batchSize: 16, alpha: 100, localEpochs: 1, seed: 3, autoAdvance: true, evalEvery: 1 };

/** Why this machine cannot run the test, or undefined when it can. */
async function unavailable(): Promise<string | undefined> {
  const missing = missingBinaries();
  if (missing !== undefined) return missing;
  const rabbit = await fetch(`http://${RABBITMQ_METRICS}/metrics`).then(
    (r) => r.ok,
    () => false,
  );
  if (!rabbit) return `RabbitMQ's Prometheus endpoint ${RABBITMQ_METRICS} does not answer (rabbitmq-plugins enable rabbitmq_prometheus)`;
  return undefined;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('observability: a real Prometheus scrapes the services, RabbitMQ and Redis', () => {
  it('when a run has finished under a scraping Prometheus, then every Grafana panel query answers with data', async (ctx) => {
    const reason = await unavailable();
    if (reason !== undefined) {
      if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
      ctx.skip(reason);
      return;
    }
    const amqp: AmqpTransport = await createAmqpTransport({
      url: RABBITMQ_URL,
      prefix: PREFIX,
      connectionName: PREFIX,
      startTimeoutMs: 3_000,
    });
    const redis: RedisStores = await createRedisStores({ url: REDIS_URL, keyPrefix: `${PREFIX}:`, connectTimeoutMs: 3_000 });
    cleanups.push(
      async () => {
        await amqp.deleteTopology();
        await amqp.close();
      },
      async () => {
        await redis.deleteAll();
        await redis.close();
      },
    );

    const [apiPort, aggPort, trainerPort, exporterPort, promPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const common = { RABBITMQ_URL, REDIS_URL, FEDSSD_PREFIX: PREFIX, LOG_LEVEL: 'warn', FEDSSD_BACKEND: 'wasm' };
    const services: ServiceProcess[] = [
      startService('aggregator', 'aggregator', {
        ...common,
        AGGREGATOR_METRICS_PORT: String(aggPort),
        AGGREGATOR_METRICS_HOST: '127.0.0.1',
        AGGREGATOR_EVAL_TEST_LIMIT: '60',
        AGGREGATOR_QUEUE_POLL_MS: '500',
      }),
      startService('trainer', 'trainer', {
        ...common,
        TRAINER_METRICS_PORT: String(trainerPort),
        TRAINER_METRICS_HOST: '127.0.0.1',
        TRAINER_ID: PREFIX,
      }),
      startService('api', 'api', { ...common, API_PORT: String(apiPort), API_HOST: '127.0.0.1', API_TOKEN: TOKEN }),
    ];
    cleanups.push(() => Promise.all(services.map((s) => s.stop())));
    const exporter = startRedisExporter(exporterPort, REDIS_URL);
    cleanups.push(() => exporter.stop());
    const prometheus: PrometheusServer = await startPrometheus(promPort, {
      'fedssd-api': [`127.0.0.1:${apiPort}`],
      'fedssd-aggregator': [`127.0.0.1:${aggPort}`],
      'fedssd-trainer': [`127.0.0.1:${trainerPort}`],
      rabbitmq: [RABBITMQ_METRICS],
      'rabbitmq-queues': [RABBITMQ_METRICS],
      redis: [`127.0.0.1:${exporterPort}`],
      prometheus: [`127.0.0.1:${promPort}`],
    });
    cleanups.push(() => prometheus.stop());
    const dump = () =>
      [
        ...services.map((s) => `----- ${s.name} -----\n${s.output().slice(-3000)}`),
        `----- prometheus -----\n${prometheus.output().slice(-3000)}`,
      ].join('\n');
    const started = Date.now() / 1000;

    try {
      const api = `http://127.0.0.1:${apiPort}`;
      const auth = { authorization: `Bearer ${TOKEN}` };
      await waitFor(
        'api and aggregator',
        async () => ((await fetch(`${api}/readyz`)).ok && (await fetch(`http://127.0.0.1:${aggPort}/healthz`)).ok ? true : undefined),
        60_000,
      );
      const created = await fetch(`${api}/v1/runs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(RUN),
      });
      expect(created.status).toBe(201);
      const { runId } = (await created.json()) as { runId: string };
      await waitFor(
        'run to finish',
        async () => {
          const r = (await (await fetch(`${api}/v1/runs/${runId}`, { headers: auth })).json()) as { status: string; error?: string };
          if (r.status === 'failed') throw new Error(`run failed: ${r.error}`);
          return r.status === 'finished' ? true : undefined;
        },
        240_000,
        500,
      );

      // Every target up, and scraped again after the run finished (1 s interval; wait for 3 more).
      await waitFor(
        'all scrape targets up',
        async () => {
          const up = (await prometheus.query('/api/v1/query', { query: 'up' })) as Array<{
            metric: { job: string };
            value: [number, string];
          }>;
          return up.length === 7 && up.every((s) => s.value[1] === '1') ? true : undefined;
        },
        30_000,
        500,
      );
      await new Promise((r) => setTimeout(r, 4_000));

      // Each panel query, as Grafana would run it over the test's time range, answers with series.
      const end = Date.now() / 1000;
      const queries = dashboardPanelQueries();
      expect(queries.length).toBeGreaterThan(40);
      const empty: string[] = [];
      for (const { where, expr } of queries) {
        const result = await prometheus.query('/api/v1/query_range', { query: expr, start: String(started), end: String(end), step: '1' });
        if (result.length === 0) empty.push(`${where}: ${expr}`);
      }
      expect(empty).toEqual([]);
      // And the per-run quality gauges carry this run's id (the representation dashboard's variable).
      const knn = (await prometheus.query('/api/v1/query', { query: `fedssd_knn_accuracy{run_id="${runId}", method="ssd"}` })) as unknown[];
      expect(knn).toHaveLength(1);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${dump()}`, { cause: error });
    }
  }, 360_000);
});
