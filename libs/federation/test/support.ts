import { randomUUID } from 'node:crypto';
import { federatedNames, siteUserName } from '@fedssd/protocol';
import { createAmqpTransport, type AmqpTransport } from '@fedssd/transport';
import amqp, { type ConfirmChannel } from 'amqplib';
import { Redis } from 'ioredis';
import {
  declareFederatedTopology,
  deleteFederatedTopology,
  provisionSite,
  RabbitManagement,
  RedisAclAdmin,
  redisKeyPrefix,
  revokeSite,
  SiteRegistry,
  type AdminContext,
} from '../src/index.js';
import { startPrivateRedisServer, type PrivateRedisServer } from '../../transport/test/private-redis.js';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const RABBITMQ_MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

/** Why the broker or its management API cannot be used, or undefined when both answer. */
export async function probeBroker(): Promise<string | undefined> {
  try {
    const connection = await amqp.connect(RABBITMQ_URL, { timeout: 2_000 });
    await connection.close();
  } catch (error) {
    return `RabbitMQ at ${RABBITMQ_URL}: ${(error as Error).message}`;
  }
  try {
    await new RabbitManagement({ url: RABBITMQ_MANAGEMENT_URL, timeoutMs: 2_000 }).hasUser('guest');
  } catch (error) {
    return `RabbitMQ management API (enable with rabbitmq-plugins enable rabbitmq_management): ${(error as Error).message}`;
  }
  return undefined;
}

/** Fails under CI=true, warns otherwise: the pattern of the repository's *.int.test.ts files. */
export function requireOrSkip(unavailable: string | undefined, what: string): void {
  if (unavailable === undefined) return;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${what} cannot run: ${unavailable}`);
  console.warn(`[federation] ${what} skipped: ${unavailable}`);
}

/** A site's credentials as the bundle hands them out. */
export interface SiteLogin {
  name: string;
  user: string;
  amqpUrl: string;
  redisUrl: string;
}

/**
 * One federated deployment for a test file: a unique prefix on the shared broker (topology of
 * both modes declared as the aggregator would, with guest), a private redis-server whose default
 * user plays the admin and today's shared credential, and enrolled sites.
 */
export interface FederationFixture {
  readonly prefix: string;
  readonly keyPrefix: string;
  readonly redis: PrivateRedisServer;
  /** Default-user (admin) connection to the private Redis. */
  readonly admin: Redis;
  readonly ctx: AdminContext;
  /** guest's transport: the simulation topology of this prefix. */
  readonly aggregator: AmqpTransport;
  readonly sites: Record<string, SiteLogin>;
  /** guest's channel for checking state (queue depths, existence). */
  readonly guest: amqp.ChannelModel;
  redisUrlAs(user?: string, password?: string): string;
  close(): Promise<void>;
}

const parseUrl = (url: string) => new URL(url);

export async function createFederationFixture(siteNames: string[]): Promise<FederationFixture> {
  const prefix = `fedtest-${randomUUID().slice(0, 8)}`;
  const keyPrefix = redisKeyPrefix(prefix);
  const redis = await startPrivateRedisServer();
  const admin = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  await admin.connect();
  const ctx: AdminContext = {
    prefix,
    rabbit: new RabbitManagement({ url: RABBITMQ_MANAGEMENT_URL }),
    acl: new RedisAclAdmin(admin),
    registry: new SiteRegistry(admin, keyPrefix),
    siteRabbitUrl: `amqp://${parseUrl(RABBITMQ_URL).host}`,
    siteRedisUrl: `redis://127.0.0.1:${redis.port}`,
    now: () => new Date(),
  };
  const aggregator = await createAmqpTransport({
    url: RABBITMQ_URL,
    prefix,
    connectionName: `${prefix}-aggregator`,
    startTimeoutMs: 5_000,
  });
  await declareFederatedTopology(await aggregator.connection.publisherChannel(), prefix);
  const guest = await amqp.connect(RABBITMQ_URL);
  guest.on('error', () => {});
  const sites: Record<string, SiteLogin> = {};
  for (const name of siteNames) {
    const { bundle } = await provisionSite(ctx, { name, declaredSamples: 1000 });
    const env = Object.fromEntries(
      bundle.envFile
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    sites[name] = { name, user: siteUserName(prefix, name), amqpUrl: env.RABBITMQ_URL!, redisUrl: env.REDIS_URL! };
  }
  return {
    prefix,
    keyPrefix,
    redis,
    admin,
    ctx,
    aggregator,
    sites,
    guest,
    redisUrlAs: (user, password) =>
      user === undefined ? `redis://127.0.0.1:${redis.port}` : `redis://${user}:${password ?? ''}@127.0.0.1:${redis.port}`,
    async close() {
      for (const login of Object.values(sites)) {
        try {
          await revokeSite(ctx, login.name);
        } catch {
          // revoked by the test already, or its record was flushed by a shared-credential attack
        }
        // Whatever revocation did or not, no user or queue of this test stays on the shared broker.
        await ctx.rabbit.deleteUser(login.user);
        await ctx.rabbit.deleteQueue(federatedNames(prefix).siteJobQueue(login.name));
      }
      try {
        const channel = await aggregator.connection.publisherChannel();
        await deleteFederatedTopology(channel, prefix);
        await aggregator.deleteTopology();
      } finally {
        await aggregator.close();
        await guest.close().catch(() => {});
        admin.disconnect();
        await redis.close();
      }
    },
  };
}

/** A queue's ready-message count, or 'missing' (passive declare on a throw-away channel). */
export async function queueDepth(connection: amqp.ChannelModel, queue: string): Promise<number | 'missing'> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  } catch {
    return 'missing';
  }
}

/** Whether an exchange exists (passive declare). */
export async function exchangeExists(connection: amqp.ChannelModel, exchange: string): Promise<boolean> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    await channel.checkExchange(exchange);
    await channel.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs broker operations as the user of `url` on a fresh connection and confirm channel, and
 * returns 'ok' or the broker's refusal (e.g. `ACCESS_REFUSED - ...`), as the server reported it
 * when closing the channel.
 */
export async function asBrokerUser(url: string, operations: (channel: ConfirmChannel) => Promise<unknown>): Promise<string> {
  const connection = await amqp.connect(url);
  connection.on('error', () => {});
  let refusal: string | undefined;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => {
      refusal ??= error.message;
    });
    try {
      await operations(channel);
      await channel.waitForConfirms();
    } catch (error) {
      refusal ??= (error as Error).message;
    }
    // A refused publish closes the channel asynchronously: give the close frame a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return refusal === undefined ? 'ok' : refusal.replace(/^.*?(ACCESS_REFUSED|PRECONDITION_FAILED|NOT_FOUND)/, '$1').replace(/"$/, '');
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Runs Redis commands as a user; 'ok' with the result, or the server's error text (e.g. `NOPERM ...`). */
export async function asRedisUser(
  url: string,
  command: (redis: Redis) => Promise<unknown>,
): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const redis = new Redis(url, { lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // ioredis reports a refused AUTH as an 'error' event and rejects connect() with "Connection is closed.".
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
    return { ok: true, value: await command(redis) };
  } catch (error) {
    return { ok: false, error: (lastError ?? (error as Error)).message };
  } finally {
    redis.disconnect();
  }
}

export { federatedNames };
