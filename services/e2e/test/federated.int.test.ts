import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '@fedssd/data/node';
import { createFederationAdmin, FederationAdminConfigSchema, type FederationAdmin } from '@fedssd/federation';
import { RunConfigSchema, type RoundRecord, type RunRecord } from '@fedssd/protocol';
import { simulateRun } from '@fedssd/runtime';
import { encodeWeights, initBackend } from '@fedssd/tensor';
import { createAmqpTransport, createRedisStores, createRunRepository, type AmqpTransport, type RedisStores } from '@fedssd/transport';
import { freePort, ROOT, startService, waitFor, type ServiceProcess } from '../../../tools/test-support/processes.js';

const run = promisify(execFile);
const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const PREFIX = `fed-${randomUUID().slice(0, 8)}`;
const TOKEN = `fed-token-${randomUUID()}`;
const SITES = ['s0', 's1', 's2'] as const;
/** The partition both the sites' folders and the reference simulation use. */
const SPLIT = { dataset: 'fashion-mnist', clients: 3, alpha: 100, seed: 7, trainLimit: 120, batchSize: 16 } as const;
const RUN = { ...SPLIT, method: 'ssd', rounds: 3, localEpochs: 1, autoAdvance: true, evalEvery: 1 } as const;

const services: ServiceProcess[] = [];
let stores: { amqp: AmqpTransport; redis: RedisStores } | undefined;
let admin: FederationAdmin | undefined;
let dir: string | undefined;

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  for (const site of SITES) await admin?.revokeSite(site).catch(() => undefined);
  await admin?.close();
  if (stores) {
    await stores.amqp.deleteTopology().catch(() => undefined);
    await stores.amqp.close();
    await stores.redis.deleteAll();
    await stores.redis.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Files under `root` that the traced process opened (paths as strace printed them). */
async function opensUnder(traceFile: string, root: string): Promise<string[]> {
  const text = await readFile(traceFile, 'utf8');
  return [...text.matchAll(/open(?:at2?)?\([^"]*"([^"]+)"/g)].map((m) => m[1] as string).filter((path) => path.startsWith(root));
}

describe('end to end, federated: three sites with their own data and identities, api + aggregator on their own users', () => {
  it('when a federated run of three rounds is started over REST, then it finishes with the model simulate computes on the same partition, and no process but a site opens its files', async (ctx) => {
    try {
      const amqp = await createAmqpTransport({ url: RABBITMQ_URL, prefix: PREFIX, connectionName: PREFIX, startTimeoutMs: 3_000 });
      stores = { amqp, redis: await createRedisStores({ url: REDIS_URL, keyPrefix: `${PREFIX}:`, connectTimeoutMs: 3_000 }) };
      const overview = await fetch(new URL('/api/overview', MANAGEMENT_URL.replace(/\/\/[^@]*@/, '//')), {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
      });
      if (!overview.ok) throw new Error(`management API answered ${overview.status}`);
    } catch (error) {
      const reason = `RabbitMQ (and its management API) or Redis not reachable: ${(error as Error).message}`;
      if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
      ctx.skip(reason);
      return;
    }
    dir = await mkdtemp(join(tmpdir(), 'fedssd-federated-'));
    const dataRoot = join(dir, 'sites');
    // 1. The operator splits a public data set into one folder per site (what each organisation would hold).
    await run(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'services/cli/src/main.ts',
        'data',
        'split',
        '--dataset',
        SPLIT.dataset,
        '--clients',
        '3',
        '--alpha',
        String(SPLIT.alpha),
        '--seed',
        String(SPLIT.seed),
        '--train-limit',
        String(SPLIT.trainLimit),
        '--batch-size',
        String(SPLIT.batchSize),
        '--out',
        dataRoot,
      ],
      { cwd: ROOT },
    );
    // 2. Enrolment: one identity per site, and the api and aggregator on their own users.
    const url = new URL(MANAGEMENT_URL);
    admin = await createFederationAdmin(
      FederationAdminConfigSchema.parse({
        RABBITMQ_MANAGEMENT_URL: `${url.protocol}//${url.host}`,
        RABBITMQ_ADMIN_USER: decodeURIComponent(url.username) || 'guest',
        RABBITMQ_ADMIN_PASSWORD: decodeURIComponent(url.password) || 'guest',
        REDIS_ADMIN_URL: REDIS_URL,
        FEDSSD_PREFIX: PREFIX,
        FEDSSD_SITE_RABBITMQ_URL: 'amqp://127.0.0.1:5672',
        FEDSSD_SITE_REDIS_URL: 'redis://127.0.0.1:6379',
      }),
    );
    const bundles = new Map<string, Record<string, string>>();
    for (const site of SITES) {
      const { bundle } = await admin.provisionSite({ name: site, declaredSamples: 1_000 });
      bundles.set(
        site,
        Object.fromEntries(
          bundle.envFile
            .split('\n')
            .filter((l) => /^[A-Z_]+=/.test(l))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        ),
      );
    }
    const withUser = (base: string, user: string, password: string) => {
      const u = new URL(base);
      u.username = encodeURIComponent(user);
      u.password = encodeURIComponent(password);
      return u.toString().replace(/\/$/, '');
    };
    const aggUser = await admin.provisionServiceUser('aggregator');
    const apiUser = await admin.provisionServiceUser('api');

    // 3. The services as processes, every one traced for the files it opens.
    const [apiPort, aggPort] = [await freePort(), await freePort()];
    const base = { FEDSSD_PREFIX: PREFIX, LOG_LEVEL: 'info', FEDSSD_BACKEND: 'wasm' };
    const trace = (name: string) => join(dir as string, `${name}.opens`);
    services.push(
      startService(
        'aggregator',
        'aggregator',
        {
          ...base,
          RABBITMQ_URL: withUser(RABBITMQ_URL, aggUser.user, aggUser.rabbitPassword),
          REDIS_URL: withUser(REDIS_URL, aggUser.user, aggUser.redisPassword),
          AGGREGATOR_METRICS_PORT: String(aggPort),
          AGGREGATOR_METRICS_HOST: '127.0.0.1',
          AGGREGATOR_EVAL_TEST_LIMIT: '100',
          FEDSSD_EVAL_DATASET: 'fashion-mnist',
          FEDSSD_EVAL_BANK_LIMIT: '200',
        },
        { traceOpensTo: trace('aggregator') },
      ),
    );
    const dump = () => services.map((s) => `----- ${s.name} -----\n${s.output().slice(-4000)}`).join('\n');
    const api = `http://127.0.0.1:${apiPort}`;
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    try {
      await waitFor('aggregator', async () => ((await fetch(`http://127.0.0.1:${aggPort}/healthz`)).ok ? true : undefined), 90_000);
      // The api's own user may declare nothing, so it starts once the aggregator declared the topology.
      services.push(
        startService(
          'api',
          'api',
          {
            ...base,
            RABBITMQ_URL: withUser(RABBITMQ_URL, apiUser.user, apiUser.rabbitPassword),
            REDIS_URL: withUser(REDIS_URL, apiUser.user, apiUser.redisPassword),
            API_PORT: String(apiPort),
            API_HOST: '127.0.0.1',
            API_TOKEN: TOKEN,
            API_DECLARE_TOPOLOGY: 'false',
          },
          { traceOpensTo: trace('api') },
        ),
      );
      await waitFor(
        'api and aggregator',
        async () => ((await fetch(`${api}/healthz`)).ok && (await fetch(`http://127.0.0.1:${aggPort}/healthz`)).ok ? true : undefined),
        90_000,
      );
      // The sites start once the aggregator declared the exchanges they publish to.
      for (const [k, site] of SITES.entries()) {
        services.push(
          startService(
            site,
            'trainer',
            {
              ...(bundles.get(site) as Record<string, string>),
              LOG_LEVEL: 'info',
              FEDSSD_BACKEND: 'wasm',
              SITE_DATA_DIR: join(dataRoot, `client-${k}`),
              SITE_HEARTBEAT_MS: '1000',
              TRAINER_METRICS_PORT: String(await freePort()),
              TRAINER_METRICS_HOST: '127.0.0.1',
            },
            { traceOpensTo: trace(site) },
          ),
        );
      }
      const repo = createRunRepository(stores.redis.state, stores.redis.blobs);
      await waitFor(
        'three sites live',
        async () => {
          const seen = await Promise.all(SITES.map((s) => stores!.redis.state.getJson(`fedssd:site:${s}:liveness`)));
          return seen.every((x) => x !== null) ? true : undefined;
        },
        120_000,
        500,
      );

      // 4. A federated run over REST, and the same run simulated on the same partition in this process.
      const config = { ...RUN, mode: 'federated', sites: [...SITES], inputShape: [28, 28, 1], trainLimit: undefined, dataset: undefined };
      const body = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
      const created = await fetch(`${api}/v1/runs`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      expect(created.status, await created.clone().text()).toBe(201);
      const { runId } = (await created.json()) as RunRecord;
      await initBackend('wasm');
      const reference = simulateRun(
        RunConfigSchema.parse(RUN),
        {
          train: await loadDataset({ name: SPLIT.dataset, split: 'train', limit: SPLIT.trainLimit }),
          test: await loadDataset({ name: SPLIT.dataset, split: 'test', limit: 50 }),
        },
        { backend: 'wasm', probeEpochs: 0 },
      );
      const finished = await waitFor(
        'federated run to finish',
        async () => {
          const r = (await (await fetch(`${api}/v1/runs/${runId}`, { headers: auth })).json()) as RunRecord;
          if (r.status === 'failed') throw new Error(`run failed: ${r.error}`);
          return r.status === 'finished' ? r : undefined;
        },
        300_000,
        500,
      );
      expect(finished).toMatchObject({ status: 'finished', currentRound: 3, globalVersion: 3, sites: [...SITES] });
      const { weights } = await reference;
      const stored = await repo.getModel(runId, 3);
      expect(Buffer.from(stored!).equals(Buffer.from(encodeWeights(weights))), 'federated final model equals simulate bit for bit').toBe(
        true,
      );

      // Each update is attributed to its site, with the label-free metrics the site measured.
      for (const round of [1, 2, 3]) {
        const record = (await repo.getRound(runId, round)) as RoundRecord;
        expect(record.accepted.map((a) => [a.clientId, a.site, a.workerId])).toEqual(
          expect.arrayContaining(SITES.map((s, i) => [i, s, s])),
        );
        for (const a of record.accepted) expect(Number.isFinite(a.siteMetrics?.uniformity)).toBe(true);
        expect(record.metrics?.knnAccuracy).toBeGreaterThan(0);
      }
      const text = await (await fetch(`http://127.0.0.1:${aggPort}/metrics`)).text();
      for (const site of SITES)
        expect(text).toMatch(new RegExp(`fedssd_site_updates_total\\{[^}]*site="${site}"[^}]*outcome="accepted"[^}]*\\} 3`));
      expect(text).toMatch(/fedssd_site_uniformity\{[^}]*site="s0"/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${dump()}`, { cause: error });
    }
    const codes = await Promise.all(services.splice(0).map(async (s) => [s.name, await s.stop()] as const));
    expect(Object.fromEntries(codes)).toEqual({ aggregator: 0, api: 0, s0: 0, s1: 0, s2: 0 });

    // 5. Who opened the sites' files: each site its own folder, nobody else any of them.
    for (const [k, site] of SITES.entries()) {
      const folder = join(dataRoot, `client-${k}`);
      expect((await opensUnder(trace(site), folder)).length, `${site} read its own images`).toBeGreaterThan(10);
      for (const other of ['aggregator', 'api', ...SITES.filter((s) => s !== site)]) {
        expect(await opensUnder(trace(other), folder), `${other} opened files of ${site}`).toEqual([]);
      }
    }
  }, 600_000);
});
