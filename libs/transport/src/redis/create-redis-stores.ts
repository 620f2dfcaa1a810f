import { Redis } from 'ioredis';
import { TransportUnavailableError } from '../errors.js';
import { checkTlsScheme, tlsSocketOptions, type TlsOptions } from '../tls.js';
import { RedisBlobStore } from './redis-blob-store.js';
import { redisConnectionOptions, type SentinelOptions } from './redis-connection.js';
import { RedisOwnershipStore } from './redis-ownership-store.js';
import { RedisStateStore } from './redis-state-store.js';

/** How long `close()` waits for QUIT before it drops the connection, in ms. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface RedisStoreOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Prepended to every key (tests use a unique one); default none. */
  keyPrefix?: string;
  /** How long the first connection may take, in milliseconds. Default 10000. */
  connectTimeoutMs?: number;
  /** CA, client certificate and key for a `rediss:` URL; default: system CAs, no client certificate. */
  tls?: TlsOptions;
  /**
   * Send INFO after connecting to wait until Redis has loaded its data; default true. ACL users
   * that may not run INFO (sites) set false: ioredis would otherwise send a refused INFO on every
   * connect and print a warning before skipping the check.
   */
  readyCheck?: boolean;
  /** Shown by `CLIENT LIST` (needs `client|setname` in the user's ACL); default none. */
  connectionName?: string;
  /** Find the primary through these Sentinels (the URL then gives only user, password, database); default: connect to the URL. */
  sentinel?: SentinelOptions;
}

/** Both Redis stores over one client. */
export interface RedisStores {
  readonly blobs: RedisBlobStore;
  readonly state: RedisStateStore;
  /** Run leases, fencing counters and inboxes (aggregator replicas). */
  readonly ownership: RedisOwnershipStore;
  readonly redis: Redis;
  /** Idempotent. */
  close(): Promise<void>;
  /** Deletes every key under the prefix (tests; refuses without a prefix). */
  deleteAll(): Promise<number>;
}

/** Connects to Redis; ioredis reconnects by itself and queues commands while it does. */
export async function createRedisStores(options: RedisStoreOptions): Promise<RedisStores> {
  const prefix = options.keyPrefix ?? '';
  checkTlsScheme(options.url, options.tls, 'rediss:');
  const target = redisConnectionOptions(options.url, options.sentinel);
  const redisOptions = {
    ...target.options,
    lazyConnect: true,
    enableReadyCheck: options.readyCheck ?? true,
    ...(options.connectionName !== undefined ? { connectionName: options.connectionName } : {}),
    ...(options.tls !== undefined ? { tls: tlsSocketOptions(options.tls) } : {}),
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    // Cap the backoff so a restarted Redis is picked up within a few seconds.
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2_000),
  };
  const redis = target.url !== undefined ? new Redis(target.url, redisOptions) : new Redis(redisOptions);
  // Reported through failing commands; an unhandled 'error' would crash. The last one is kept because
  // ioredis rejects `connect()` with a bare "Connection is closed." when TLS or AUTH was the cause.
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const why = lastError !== undefined && lastError !== error ? ` (${lastError.message})` : '';
    throw new TransportUnavailableError(`cannot connect to Redis: ${(error as Error).message}${why}`, { cause: lastError ?? error });
  }
  let closing: Promise<void> | undefined;
  return {
    blobs: new RedisBlobStore(redis, prefix),
    state: new RedisStateStore(redis, prefix),
    ownership: new RedisOwnershipStore(redis, prefix),
    redis,
    close: () =>
      (closing ??= (async () => {
        const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
        // A connection that cannot log in any more (e.g. its ACL user was revoked) never answers QUIT
        // while ioredis keeps retrying: after a short wait, drop the socket instead.
        const gaveUp = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS).unref());
        try {
          if ((await Promise.race([redis.quit(), gaveUp])) === 'timeout') redis.disconnect();
        } catch {
          redis.disconnect();
        }
        // QUIT resolves on the reply; wait for the socket to close so callers can exit cleanly.
        if (redis.status !== 'end') await Promise.race([ended, gaveUp.then(() => redis.disconnect())]);
      })()),
    deleteAll: async () => {
      if (prefix === '') throw new Error('deleteAll needs a keyPrefix; refusing to delete every key');
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) deleted += await redis.del(...keys);
      } while (cursor !== '0');
      return deleted;
    },
  };
}
