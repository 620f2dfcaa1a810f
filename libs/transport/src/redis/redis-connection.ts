import type { RedisOptions } from 'ioredis';

/** One Sentinel's address. */
export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Redis behind Sentinel: the services ask these Sentinels which server is the primary of `name`
 * and ask again after every disconnect, so a failover is followed without a restart.
 */
export interface SentinelOptions {
  readonly sentinels: readonly SentinelAddress[];
  /** The primary's name in the Sentinels' configuration (`sentinel monitor <name> ...`). */
  readonly name: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a Sentinel master name (the services' `REDIS_SENTINEL_NAME`). */
export function checkSentinelName(name: string, field = 'REDIS_SENTINEL_NAME'): string {
  if (!NAME.test(name)) throw new RangeError(`${field} must be 1-64 characters of [A-Za-z0-9_.-] (got ${JSON.stringify(name)})`);
  return name;
}

/**
 * ioredis options for `url`, or for the primary Sentinel reports when `sentinel` is given: then
 * the URL's host and port are not used, its user, password and database still are (the same ACL
 * user logs in to whichever server is primary, and to the Sentinels). A reply of READONLY means this connection still
 * points at a demoted primary: reconnect (asking the Sentinels again) and resend the command.
 */
export function redisConnectionOptions(url: string, sentinel: SentinelOptions | undefined): { url?: string; options: RedisOptions } {
  if (sentinel === undefined) return { url, options: {} };
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    options: {
      sentinels: sentinel.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: checkSentinelName(sentinel.name),
      role: 'master',
      ...(parsed.username !== '' ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password !== '' ? { password: decodeURIComponent(parsed.password) } : {}),
      // The same user logs in to the Sentinels: a deployment reachable by sites gives each user a
      // Sentinel login that may only look up the primary (OPERATIONS.md, "Redis through Sentinel").
      ...(parsed.username !== '' ? { sentinelUsername: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password !== '' ? { sentinelPassword: decodeURIComponent(parsed.password) } : {}),
      ...(Number.isInteger(db) && db > 0 ? { db } : {}),
      ...(parsed.protocol === 'rediss:' ? { enableTLSForSentinelMode: true } : {}),
      // Sentinels answer fast or not at all: keep asking while a failover is under way.
      sentinelRetryStrategy: (times: number) => Math.min(100 * times, 1_000),
      reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
    },
  };
}
