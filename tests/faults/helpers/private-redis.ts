import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from '../../../tools/test-support/processes.js';

/**
 * A redis-server of this test's own (free port, temp dir, AOF fsync always so a restart keeps
 * every acknowledged write, as a production Redis with persistence does). Restarting the shared
 * Redis would break other engineers' work; this one can be stopped and started at will.
 */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SHUTDOWN (AOF is fsynced on every write), then the same server again on the same port and dir. */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** `persistence: false` runs without AOF (a soak measures memory, not durability); default on. */
export async function startPrivateRedis(options: { persistence?: boolean } = {}): Promise<PrivateRedis> {
  const persistence = options.persistence ?? true;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'faults-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        ...(persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []),
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(`private redis on ${port}`, async () => ((await ping(port)) ? true : undefined), 10_000, 100);
  };
  const stop = async () => {
    const c = child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM'); // redis-server shuts down cleanly on SIGTERM (AOF flushed)
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 1_000) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
