import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePng } from '@fedssd/data/node';
import { createFederationAdmin, FederationAdminConfigSchema } from '@fedssd/federation';
import { createAmqpTransport, createRedisStores, type AmqpTransport, type RedisStores } from '@fedssd/transport';
import { dashboardPanelQueries } from './queried-metrics.js';
import { freePort, startService, waitFor, type ServiceProcess } from '../../../tools/test-support/processes.js';
import { missingBinaries, startPrometheus, startRedisExporter, type PrometheusServer } from './prometheus.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
/** RabbitMQ's own Prometheus endpoint (plugin rabbitmq_prometheus). */
const RABBITMQ_METRICS = process.env.RABBITMQ_METRICS_ADDR ?? '127.0.0.1:15692';
const PREFIX = `scrape-${randomUUID().slice(0, 8)}`;
const TOKEN = `scrape-token-${randomUUID()}`;
const ADMIN_TOKEN = `scrape-admin-${randomUUID()}`;
/** Tiny: 3 clients x 30 images, two rounds, evaluated every round. */
const RUN = { clients: 3, rounds: 2, trainLimit: 90, batchSize: 16, alpha: 100, localEpochs: 1, seed: 3, autoAdvance: true, evalEvery: 1 };
/** One site, enrolled over the api's admin routes, trains its own 48 images next to the simulation run: the Sites dashboard's data. */
const SITE = 'scrape-site';
const SITE_IMAGES = 48;
const FEDERATED_RUN = {
  mode: 'federated',
  sites: [SITE],
  inputShape: [28, 28, 1],
  rounds: 2,
  batchSize: 16,
  localEpochs: 1,
  seed: 3,
  autoAdvance: true,
  evalEvery: 1,
};

/** The site's folder: seeded noise images as 8-bit grayscale PNGs (what a site would hold; no labels). */
async function writeSiteImages(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  let state = 12345;
  for (let i = 0; i < SITE_IMAGES; i += 1) {
    const pixels = new Uint8Array(28 * 28);
    for (let p = 0; p < pixels.length; p += 1) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      pixels[p] = state >>> 24;
    }
    await writeFile(join(dir, `${String(i).padStart(4, '0')}.png`), encodePng(pixels, 28, 28, 1));
  }
}

/** `KEY=value` lines of a site bundle's env file. */
const envOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

/** Why this machine cannot run the test, or undefined when it can. */
async function unavailable(): Promise<string | undefined> {
  const missing = missingBinaries();
  if (missing !== undefined) return missing;
  const rabbit = await fetch(`http://${RABBITMQ_METRICS}/metrics`).then(
    (r) => r.ok,
    () => false,
  );
  if (!rabbit) return `RabbitMQ's Prometheus endpoint ${RABBITMQ_METRICS} does not answer (rabbitmq-plugins enable rabbitmq_prometheus)`;
  const url = new URL(MANAGEMENT_URL);
  const management = await fetch(`${url.protocol}//${url.host}/api/overview`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`,
    },
  }).then(
    (r) => r.ok,
    () => false,
  );
  if (!management) return `RabbitMQ's management API ${url.host} does not answer (rabbitmq-plugins enable rabbitmq_management)`;
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
      // Runs after the services stopped: the site's users and job queue go whatever the test reached.
      async () => {
        const admin = await createFederationAdmin(
          FederationAdminConfigSchema.parse({ RABBITMQ_MANAGEMENT_URL: MANAGEMENT_URL, REDIS_ADMIN_URL: REDIS_URL, FEDSSD_PREFIX: PREFIX }),
        );
        try {
          await admin.revokeSite(SITE);
        } finally {
          await admin.close();
        }
      },
    );
    const dataDir = await mkdtemp(join(tmpdir(), 'fedssd-scrape-site-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await writeSiteImages(dataDir);

    const [apiPort, aggPort, trainerPort, sitePort, exporterPort, promPort] = await Promise.all([
      freePort(),
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
      startService('api', 'api', {
        ...common,
        API_PORT: String(apiPort),
        API_HOST: '127.0.0.1',
        API_TOKEN: TOKEN,
        // Admin routes on: the site below is enrolled over REST.
        FEDSSD_ADMIN_TOKEN: ADMIN_TOKEN,
        RABBITMQ_MANAGEMENT_URL: MANAGEMENT_URL,
        REDIS_ADMIN_URL: REDIS_URL,
        FEDSSD_SITE_RABBITMQ_URL: `amqp://${new URL(RABBITMQ_URL).host}`,
        FEDSSD_SITE_REDIS_URL: `redis://${new URL(REDIS_URL).host}`,
      }),
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
      // A site enrolled over REST with the admin token starts its trainer on its own folder with its bundle.
      const enrolled = await fetch(`${api}/v1/admin/sites`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: SITE, declaredSamples: 1_000 }),
      });
      expect(enrolled.status, await enrolled.clone().text()).toBe(201);
      const { bundle } = (await enrolled.json()) as { bundle: { envFile: string } };
      services.push(
        startService(SITE, 'trainer', {
          ...envOf(bundle.envFile),
          LOG_LEVEL: 'warn',
          FEDSSD_BACKEND: 'wasm',
          SITE_DATA_DIR: dataDir,
          SITE_HEARTBEAT_MS: '1000',
          TRAINER_METRICS_PORT: String(sitePort),
          TRAINER_METRICS_HOST: '127.0.0.1',
        }),
      );
      type SiteStatus = {
        name: string;
        live: boolean;
        samples: number | null;
        backend: string | null;
        lastUpdate: { runId: string | null; round: number | null } | null;
      };
      const siteStatus = async () =>
        ((await (await fetch(`${api}/v1/sites`, { headers: auth })).json()) as { sites: SiteStatus[] }).sites.find((s) => s.name === SITE);
      await waitFor(
        'the site to be live in GET /v1/sites',
        async () => ((await siteStatus())?.live === true ? true : undefined),
        120_000,
        500,
      );

      const start = async (config: object) => {
        const res = await fetch(`${api}/v1/runs`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(config),
        });
        expect(res.status, await res.clone().text()).toBe(201);
        return ((await res.json()) as { runId: string }).runId;
      };
      const runId = await start(RUN);
      const federatedRunId = await start(FEDERATED_RUN);
      for (const id of [runId, federatedRunId]) {
        await waitFor(
          `run ${id} to finish`,
          async () => {
            const r = (await (await fetch(`${api}/v1/runs/${id}`, { headers: auth })).json()) as { status: string; error?: string };
            if (r.status === 'failed') throw new Error(`run ${id} failed: ${r.error}`);
            return r.status === 'finished' ? true : undefined;
          },
          300_000,
          500,
        );
      }
      // The api shows what the aggregator recorded from the site: its heartbeats and its last accepted update.
      expect(await siteStatus()).toMatchObject({
        live: true,
        samples: SITE_IMAGES,
        backend: 'wasm',
        lastUpdate: { runId: federatedRunId, round: FEDERATED_RUN.rounds },
      });

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
      // And the per-site series carry the site the broker authenticated, with the metrics it reported.
      for (const metric of ['fedssd_site_uniformity', 'fedssd_site_effective_rank', 'fedssd_site_own_slice_energy']) {
        expect(await prometheus.query('/api/v1/query', { query: `${metric}{site="${SITE}"}` }), metric).toHaveLength(1);
      }
      const accepted = (await prometheus.query('/api/v1/query', {
        query: `fedssd_site_updates_total{site="${SITE}", outcome="accepted"}`,
      })) as Array<{ value: [number, string] }>;
      expect(accepted.map((s) => s.value[1])).toEqual([String(FEDERATED_RUN.rounds)]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${dump()}`, { cause: error });
    }
  }, 360_000);
});
