import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from '../../../tools/test-support/processes.js';

/** The Sentinel name of the primary the test's Sentinels monitor. */
export const SENTINEL_NAME = 'fedssd-faults';

/**
 * A Redis primary, one replica and three Sentinels of this test's own (free ports, temp dir;
 * the shared Redis on 6379 is never touched). Sentinels declare the primary down after 1 s and
 * need 2 of 3 to agree, so a killed primary is replaced in a few seconds.
 */
export interface SentinelRedis {
  readonly primaryPort: number;
  readonly replicaPort: number;
  readonly sentinelPorts: readonly number[];
  /** `REDIS_SENTINELS` for the services. */
  readonly sentinels: string;
  /** Port of the server the Sentinels currently report as primary. */
  currentPrimary(): Promise<number>;
  /** SIGKILL the primary process (no shutdown, no last sync). */
  killPrimary(): Promise<void>;
  /** A plain client of one server (test inspection). */
  client(port: number): Redis;
  close(): Promise<void>;
}

/** A client of one local server or Sentinel that never retries and swallows its error events (add a listener to see them). */
export function quietClient(port: number, auth: { username?: string; password?: string } = {}): Redis {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, ...auth });
  client.on('error', () => {});
  return client;
}

async function ask<T>(
  port: number,
  fn: (r: Redis) => Promise<T>,
  auth: { username?: string; password?: string } = {},
): Promise<T | undefined> {
  const client = quietClient(port, auth);
  try {
    await client.connect();
    return await fn(client);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** The Sentinels' admin user with {@link SentinelRedisOptions.sentinelAdminPassword} (also their peer login). */
export const SENTINEL_ADMIN_USER = 'sentinel-admin';

export interface SentinelRedisOptions {
  /**
   * Locks the Sentinels down as a deployment reachable by sites must: the default user may run
   * nothing, an admin user may run everything (and is the Sentinels' login to each other). Unset:
   * open Sentinels, as the pool-mode failover test uses them.
   */
  readonly sentinelAdminPassword?: string;
}

export async function startSentinelRedis(options: SentinelRedisOptions = {}): Promise<SentinelRedis> {
  const adminPassword = options.sentinelAdminPassword;
  const sentinelAuth = adminPassword === undefined ? {} : { username: SENTINEL_ADMIN_USER, password: adminPassword };
  const askSentinel = <T>(port: number, fn: (r: Redis) => Promise<T>) => ask(port, fn, sentinelAuth);
  const lockDown =
    adminPassword === undefined
      ? []
      : [
          'user default on nopass resetchannels -@all',
          `user ${SENTINEL_ADMIN_USER} on >${adminPassword} ~* &* +@all`,
          `sentinel sentinel-user ${SENTINEL_ADMIN_USER}`,
          `sentinel sentinel-pass ${adminPassword}`,
        ];
  const dir = mkdtempSync(join(tmpdir(), 'faults-sentinel-'));
  const [primaryPort, replicaPort, ...sentinelPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const children = new Map<number, ChildProcess>();
  const server = (port: number, args: string[]) => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    children.set(port, child);
  };
  const common = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  server(primaryPort!, [...common(primaryPort!), '--dbfilename', `p${primaryPort}.rdb`]);
  server(replicaPort!, [...common(replicaPort!), '--dbfilename', `r${replicaPort}.rdb`, '--replicaof', '127.0.0.1', String(primaryPort)]);
  for (const port of sentinelPorts) {
    // Sentinels rewrite their config file (discovered replicas and peers): one writable file each.
    const file = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
        `sentinel failover-timeout ${SENTINEL_NAME} 5000`,
        `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
        ...lockDown,
        '',
      ].join('\n'),
    );
    server(port, [file, '--sentinel']);
  }
  const sentinels = sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  const stop = async (port: number) => {
    const c = children.get(port);
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  const result: SentinelRedis = {
    primaryPort: primaryPort!,
    replicaPort: replicaPort!,
    sentinelPorts,
    sentinels,
    async currentPrimary() {
      const addr = await askSentinel(
        sentinelPorts[0]!,
        (r) => r.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_NAME) as Promise<string[]>,
      );
      return Number(addr?.[1] ?? 0);
    },
    killPrimary: () => stop(primaryPort!),
    client: (port) => quietClient(port),
    async close() {
      await Promise.all([...children.keys()].map(stop));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // Ready when the replica is in sync and every Sentinel knows the replica and both other Sentinels (else no failover).
    await waitFor(
      'replica in sync',
      async () => ((await ask(replicaPort!, (r) => r.info('replication')))?.includes('master_link_status:up') ? true : undefined),
      20_000,
      100,
    );
    for (const port of sentinelPorts) {
      await waitFor(
        `sentinel ${port} to see the replica and its peers`,
        async () => {
          const replicas = await askSentinel(port, (r) => r.call('SENTINEL', 'replicas', SENTINEL_NAME) as Promise<unknown[]>);
          const peers = await askSentinel(port, (r) => r.call('SENTINEL', 'sentinels', SENTINEL_NAME) as Promise<unknown[]>);
          return replicas?.length === 1 && peers?.length === 2 ? true : undefined;
        },
        30_000,
        200,
      );
    }
  } catch (error) {
    await result.close();
    throw error;
  }
  return result;
}
