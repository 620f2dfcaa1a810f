import { randomUUID } from 'node:crypto';
import { loadConfig } from '@fedssd/config';
import {
  createFederationAdmin,
  declareFederatedTopology,
  deleteFederatedTopology,
  RabbitManagement,
  serviceUserName,
  type FederationAdminConfig,
} from '@fedssd/federation';
import { federatedNames, modelKey, siteLivenessKey, siteUpdateKey, siteUserName } from '@fedssd/protocol';
import { createMetrics } from '@fedssd/telemetry';
import {
  createAmqpSiteTransport,
  createAmqpTransport,
  createRedisStores,
  createSiteDirectory,
  createRunRepository,
  subscribeSiteMessages,
  TransportUnavailableError,
  type AmqpTransport,
  type RedisStores,
} from '@fedssd/transport';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asRedisUser } from '../../../libs/federation/test/support.js';
import { startPrivateRedisServer, type PrivateRedisServer } from '../../../libs/transport/test/private-redis.js';
import { ApiConfigSchema, buildApp } from '../src/index.js';
import { adminSettings } from '../src/sites/admin-settings.js';
import { createFederationSiteAdmin } from '../src/sites/federation-site-admin.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const API_TOKEN = 'int-api-token-0123456789';
const ADMIN_TOKEN = 'int-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const AUTH = { authorization: `Bearer ${API_TOKEN}` };

/** Why the broker, its management API or redis-server cannot be used here, or undefined. */
async function unavailable(): Promise<string | undefined> {
  try {
    const probe = await createAmqpTransport({ url: RABBITMQ_URL, connectionName: 'probe', startTimeoutMs: 2_000, declareTopology: false });
    await probe.close();
    await new RabbitManagement({ url: MANAGEMENT_URL, timeoutMs: 2_000 }).hasUser('guest');
    (await startPrivateRedisServer()).close();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

const reason = await unavailable();
if (reason !== undefined && process.env.CI === 'true')
  throw new Error(`CI=true and the admin-routes integration test cannot run: ${reason}`);

/** `KEY=value` lines of a bundle's env file. */
const envOf = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;

describe.skipIf(reason !== undefined)(`admin routes over real RabbitMQ and Redis${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const prefix = `apiadm-${randomUUID().slice(0, 8)}`;
  const keyPrefix = `${prefix}:`;
  let redisServer: PrivateRedisServer;
  let aggregator: AmqpTransport;
  let stores: RedisStores;
  let app: FastifyInstance;
  let federation: FederationAdminConfig;
  const rabbit = new RabbitManagement({ url: MANAGEMENT_URL });
  const heard: string[] = [];

  beforeAll(async () => {
    redisServer = await startPrivateRedisServer();
    const redisUrl = `redis://127.0.0.1:${redisServer.port}`;
    // The api's configuration as main.ts reads it from the environment.
    const config = loadConfig(ApiConfigSchema, {
      API_TOKEN,
      FEDSSD_ADMIN_TOKEN: ADMIN_TOKEN,
      FEDSSD_PREFIX: prefix,
      RABBITMQ_MANAGEMENT_URL: MANAGEMENT_URL,
      REDIS_ADMIN_URL: redisUrl,
      FEDSSD_SITE_RABBITMQ_URL: `amqp://${new URL(RABBITMQ_URL).host}`,
      FEDSSD_SITE_REDIS_URL: redisUrl,
    });
    const settings = adminSettings(config);
    if (!('federation' in settings)) throw new Error(`admin settings incomplete: ${JSON.stringify(settings)}`);
    federation = settings.federation;
    // The aggregator's side: topology of both modes, and its consumer attributing site messages by user_id.
    aggregator = await createAmqpTransport({ url: RABBITMQ_URL, prefix, connectionName: `${prefix}-aggregator`, startTimeoutMs: 5_000 });
    await declareFederatedTopology(await aggregator.connection.publisherChannel(), prefix);
    await subscribeSiteMessages(aggregator.connection, async (message, { site }) => void heard.push(`${message.type} from ${site}`));
    stores = await createRedisStores({ url: redisUrl, keyPrefix });
    app = await buildApp({
      runs: createRunRepository(stores.state, stores.blobs),
      bus: aggregator.bus,
      metrics: createMetrics({ service: 'api', defaultMetrics: false }),
      apiToken: API_TOKEN,
      sites: createSiteDirectory(stores.state),
      admin: { token: ADMIN_TOKEN, sites: createFederationSiteAdmin(settings.federation) },
    });
  });

  afterAll(async () => {
    await app?.close();
    await rabbit.deleteUser(serviceUserName(prefix, 'api')).catch(() => undefined);
    for (const name of ['alpha', 'beta']) {
      await rabbit.deleteUser(siteUserName(prefix, name)).catch(() => undefined);
      await rabbit.deleteQueue(federatedNames(prefix).siteJobQueue(name)).catch(() => undefined);
    }
    if (aggregator !== undefined) {
      await deleteFederatedTopology(await aggregator.connection.publisherChannel(), prefix).catch(() => undefined);
      await aggregator.deleteTopology().catch(() => undefined);
      await aggregator.close();
    }
    await stores?.close();
    await redisServer?.close();
  });

  it('when a site is enrolled over REST, then its bundle logs in to both servers with exactly the site rights, and GET /v1/sites lists it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/admin/sites',
      headers: ADMIN,
      payload: { name: 'alpha', declaredSamples: 500 },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const { site, bundle } = res.json<{ site: { user: string }; bundle: { envFile: string; secretYaml: string } }>();
    expect(site.user).toBe(siteUserName(prefix, 'alpha'));
    const env = envOf(bundle.envFile);
    expect(env).toMatchObject({ SITE_NAME: 'alpha', FEDSSD_PREFIX: prefix });
    expect(bundle.secretYaml).toContain(env.RABBITMQ_URL!);

    // The broker: the site publishes a heartbeat, the aggregator's consumer attributes it to alpha.
    const transport = await createAmqpSiteTransport({ url: env.RABBITMQ_URL!, prefix, site: 'alpha', startTimeoutMs: 5_000 });
    try {
      await transport.publish({
        type: 'site.heartbeat',
        version: 1,
        samples: 500,
        backend: 'wasm',
        softwareVersion: '0.1.0',
        sentAt: Date.now(),
      });
      await vi.waitFor(() => expect(heard).toContain('site.heartbeat from alpha'), { timeout: 5_000 });
    } finally {
      await transport.close();
    }
    // Redis: the site reads a global model and writes its own update key; another site's key is refused.
    await stores.blobs.putBlob(modelKey('run1', 0), new TextEncoder().encode('v0'));
    const asSite = await createRedisStores({ url: env.REDIS_URL!, keyPrefix, readyCheck: false });
    try {
      expect(new TextDecoder().decode((await asSite.blobs.getBlob(modelKey('run1', 0)))!)).toBe('v0');
      expect(await asSite.blobs.putBlob(siteUpdateKey('run1', 'alpha', 1), new Uint8Array([1]))).toBe(true);
      await expect(asSite.blobs.putBlob(siteUpdateKey('run1', 'beta', 1), new Uint8Array([1]))).rejects.toThrow(/NOPERM/);
    } finally {
      await asSite.close();
    }

    const listed = (await app.inject({ url: '/v1/sites', headers: AUTH })).json<{ sites: Array<Record<string, unknown>> }>();
    expect(listed.sites).toEqual([expect.objectContaining({ name: 'alpha', state: 'active', declaredSamples: 500 })]);
    const admin = (await app.inject({ url: '/v1/admin/sites', headers: ADMIN })).json<{ sites: Array<Record<string, unknown>> }>();
    expect(admin.sites).toEqual([expect.objectContaining({ name: 'alpha', user: siteUserName(prefix, 'alpha') })]);

    const again = await app.inject({
      method: 'POST',
      url: '/v1/admin/sites',
      headers: ADMIN,
      payload: { name: 'alpha', declaredSamples: 5 },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('SITE_EXISTS');
  });

  it('when a connected site is revoked over REST, then both servers close its connections and its next publish and command are refused', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/admin/sites',
      headers: ADMIN,
      payload: { name: 'beta', declaredSamples: 10 },
    });
    expect(created.statusCode).toBe(201);
    const env = envOf(created.json<{ bundle: { envFile: string } }>().bundle.envFile);
    const events: string[] = [];
    const transport = await createAmqpSiteTransport({
      url: env.RABBITMQ_URL!,
      prefix,
      site: 'beta',
      startTimeoutMs: 5_000,
      publishTimeoutMs: 1_000,
      reconnectInitialDelayMs: 100,
      onConnectionEvent: (event) => void events.push(event),
    });
    const site = await createRedisStores({ url: env.REDIS_URL!, keyPrefix, readyCheck: false, connectionName: 'beta-test' });
    const redisClosed = new Promise<void>((resolve) => site.redis.once('close', () => resolve()));
    try {
      await transport.jobs.consumeJobs(async (_job, ctx) => ctx.ack());
      await stores.blobs.putBlob(modelKey('run2', 0), new TextEncoder().encode('v0'));
      expect(await site.blobs.getBlob(modelKey('run2', 0))).not.toBeNull();

      const res = await app.inject({ method: 'DELETE', url: '/v1/admin/sites/beta', headers: ADMIN });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ site: { name: 'beta', state: 'revoked' }, redisConnectionsKilled: 1 });
      await redisClosed;
      await vi.waitFor(() => expect(events).toContain('disconnected'), { timeout: 5_000 });

      await expect(
        transport.publish({ type: 'site.heartbeat', version: 1, samples: 1, backend: 'wasm', softwareVersion: '0', sentAt: Date.now() }),
      ).rejects.toBeInstanceOf(TransportUnavailableError);
      // A fresh login with the bundle's password: Redis no longer knows the user.
      expect(await asRedisUser(env.REDIS_URL!, (redis) => redis.get(keyPrefix + modelKey('run2', 0)))).toMatchObject({
        ok: false,
        error: expect.stringMatching(/WRONGPASS|invalid username-password/i),
      });
      const listed = (await app.inject({ url: '/v1/sites', headers: AUTH })).json<{
        sites: Array<{ name: string; state: string; live: boolean }>;
      }>();
      expect(listed.sites.find((s) => s.name === 'beta')).toMatchObject({ state: 'revoked', live: false });
    } finally {
      await transport.close();
      // Not site.close(): its QUIT waits for an 'end' that never comes while ioredis keeps retrying a refused login.
      site.redis.disconnect();
    }
    const unknown = await app.inject({ method: 'DELETE', url: '/v1/admin/sites/gamma', headers: ADMIN });
    expect(unknown.statusCode).toBe(404);
  });

  it("when the api reads the registry as its own least-privilege Redis user (apiRedisAcl), then GET /v1/sites answers with the aggregator's liveness", async () => {
    const admin = await createFederationAdmin(federation);
    let apiUser;
    try {
      apiUser = await admin.provisionServiceUser('api');
    } finally {
      await admin.close();
    }
    const at = Date.now();
    await stores.state.setJson(siteLivenessKey('alpha'), {
      site: 'alpha',
      lastHeartbeatAt: at,
      samples: 400,
      backend: 'wasm',
      softwareVersion: '0.1.0',
    });
    const asApi = await createRedisStores({
      url: `redis://${encodeURIComponent(apiUser.user)}:${encodeURIComponent(apiUser.redisPassword)}@127.0.0.1:${redisServer.port}`,
      keyPrefix,
    });
    const reader = await buildApp({
      runs: createRunRepository(asApi.state, asApi.blobs),
      bus: aggregator.bus,
      metrics: createMetrics({ service: 'api', defaultMetrics: false }),
      apiToken: API_TOKEN,
      sites: createSiteDirectory(asApi.state),
      now: () => new Date(at + 1_000),
    });
    try {
      const res = await reader.inject({ url: '/v1/sites', headers: AUTH });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().sites.find((s: { name: string }) => s.name === 'alpha')).toMatchObject({
        live: true,
        samples: 400,
        backend: 'wasm',
        heartbeatAgeSeconds: 1,
      });
      // The same user may not write the registry (the ACL is what stops it, not the api's code).
      await expect(asApi.state.setJson(siteLivenessKey('alpha'), {})).rejects.toThrow(/NOPERM/);
    } finally {
      await reader.close();
      await asApi.close();
    }
  });

  it('when the admin credentials are wrong or a server is down, then the admin routes answer 503 naming the problem, never 500', async () => {
    const broken = await buildApp({
      runs: createRunRepository(stores.state, stores.blobs),
      bus: aggregator.bus,
      metrics: createMetrics({ service: 'api', defaultMetrics: false }),
      apiToken: API_TOKEN,
      admin: {
        token: ADMIN_TOKEN,
        sites: createFederationSiteAdmin(
          (
            adminSettings(
              loadConfig(ApiConfigSchema, {
                API_TOKEN,
                FEDSSD_ADMIN_TOKEN: ADMIN_TOKEN,
                FEDSSD_PREFIX: prefix,
                RABBITMQ_MANAGEMENT_URL: MANAGEMENT_URL.replace(/\/\/[^@]*@/, '//guest:not-the-password@'),
                REDIS_ADMIN_URL: `redis://127.0.0.1:${redisServer.port}`,
              }),
            ) as unknown as { federation: FederationAdminConfig }
          ).federation,
        ),
      },
    });
    try {
      const wrongPassword = await broken.inject({
        method: 'POST',
        url: '/v1/admin/sites',
        headers: ADMIN,
        payload: { name: 'gamma', declaredSamples: 1 },
      });
      expect(wrongPassword.statusCode).toBe(503);
      expect(wrongPassword.json().error).toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringMatching(/answered 401 \(wrong admin user or password/),
      });
      expect(wrongPassword.body).not.toContain('not-the-password');
    } finally {
      await broken.close();
    }
    // A Redis admin URL nobody answers on.
    const down = await buildApp({
      runs: createRunRepository(stores.state, stores.blobs),
      bus: aggregator.bus,
      metrics: createMetrics({ service: 'api', defaultMetrics: false }),
      apiToken: API_TOKEN,
      admin: {
        token: ADMIN_TOKEN,
        sites: createFederationSiteAdmin({
          RABBITMQ_MANAGEMENT_URL: MANAGEMENT_URL,
          RABBITMQ_VHOST: '/',
          REDIS_ADMIN_URL: 'redis://127.0.0.1:1',
          FEDSSD_PREFIX: prefix,
          FEDSSD_SITE_RABBITMQ_URL: 'amqp://127.0.0.1:5672',
          FEDSSD_SITE_REDIS_URL: 'redis://127.0.0.1:1',
        }),
      },
    });
    try {
      const res = await down.inject({ url: '/v1/admin/sites', headers: ADMIN });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('cannot connect to Redis at REDIS_ADMIN_URL'),
      });
    } finally {
      await down.close();
    }
  });
});
