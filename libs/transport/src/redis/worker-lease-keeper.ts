import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fenceKey, leaseKey } from '@fedssd/protocol';
import type { Fence, LeaseKeeper } from '../ports.js';
import { tlsSocketOptions, type TlsOptions } from '../tls.js';
import type { LeaseWorkerCommand, LeaseWorkerData, LeaseWorkerEvent } from './lease-keeper-worker.js';
import type { SentinelOptions } from './redis-connection.js';

export interface WorkerLeaseKeeperOptions {
  /** Redis URL (the worker opens its own connection). */
  readonly url: string;
  /** Find the primary through Sentinels, as the stores do. */
  readonly sentinel?: SentinelOptions;
  /** The stores' key prefix, so the worker renews the same keys. */
  readonly keyPrefix?: string;
  readonly tls?: TlsOptions;
  readonly connectionName?: string;
  /** This replica's owner id, as it acquired the leases. */
  readonly owner: string;
  /** Lease time in ms; renewed every third of it. */
  readonly ttlMs: number;
  /** Stop renewing when the main thread has not answered for this long, in ms; default 120000. */
  readonly maxStallMs?: number;
  /** Renewal problems (Redis errors, a stalled main thread), for logs. */
  readonly onProblem?: (message: string) => void;
}

/** How often the main thread tells the worker it is alive, in ms. */
const ALIVE_EVERY_MS = 1_000;

/**
 * The worker thread: the compiled `.js` beside this file, or — when running from TypeScript
 * sources (tests, `--conditions=source`) — the `.ts` file loaded through tsx, which a worker does
 * not inherit from the parent's `--import tsx`.
 */
function spawnWorker(data: LeaseWorkerData): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./lease-keeper-worker.js', self), { workerData: data });
  const tsx = tsxEsmApi(self);
  const body = new URL('./lease-keeper-worker.ts', self).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(body)}); })`;
  return new Worker(code, { eval: true, workerData: data });
}

/** The ESM entry of `tsx/esm/api` as a file URL (a CommonJS `require.resolve` would give the `.cjs` one). */
function tsxEsmApi(from: string): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // Test runners that do not provide import.meta.resolve: read the package's export map.
    const pkg = createRequire(from).resolve('tsx/package.json');
    const exports = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
    return pathToFileURL(join(dirname(pkg), exports['./esm/api']!.import.default)).href;
  }
}

/**
 * {@link LeaseKeeper} on Redis that renews from a worker thread: the leases stay held while the
 * process runs and its event loop answers within `maxStallMs`, however long one step blocks the
 * main thread; they lapse when the process dies, is paused (SIGSTOP stops every thread) or
 * loses Redis for longer than a lease.
 */
export function createWorkerLeaseKeeper(options: WorkerLeaseKeeperOptions): LeaseKeeper {
  const prefix = options.keyPrefix ?? '';
  const tls = options.tls === undefined ? undefined : tlsSocketOptions(options.tls);
  const worker = spawnWorker({
    url: options.url,
    ...(options.sentinel !== undefined ? { sentinel: { sentinels: [...options.sentinel.sentinels], name: options.sentinel.name } } : {}),
    owner: options.owner,
    ttlMs: options.ttlMs,
    maxStallMs: options.maxStallMs ?? 120_000,
    ...(options.connectionName !== undefined ? { connectionName: options.connectionName } : {}),
    ...(tls !== undefined ? { tls: { ca: tls.ca?.[0], cert: tls.cert, key: tls.key } } : {}),
  });
  worker.unref();
  const listeners: Array<(fence: Fence) => void> = [];
  const send = (command: LeaseWorkerCommand) => worker.postMessage(command);
  worker.on('message', (event: LeaseWorkerEvent) => {
    if (event.type === 'lost') for (const listener of listeners) listener({ runId: event.runId, token: event.token });
    else if (event.type === 'error') options.onProblem?.(event.message);
    else options.onProblem?.(`main thread silent for ${event.sinceMs} ms: leases no longer renewed`);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  worker.on('error', (error) => options.onProblem?.(`lease worker failed: ${error.message}`));
  const alive = setInterval(() => send({ type: 'alive' }), ALIVE_EVERY_MS);
  alive.unref();
  let closing: Promise<void> | undefined;
  return {
    keep: (fence) =>
      send({
        type: 'keep',
        runId: fence.runId,
        token: fence.token,
        leaseKey: prefix + leaseKey(fence.runId),
        fenceKey: prefix + fenceKey(fence.runId),
      }),
    drop: (runId) => send({ type: 'drop', runId }),
    onLost: (listener) => void listeners.push(listener),
    close: () =>
      (closing ??= (async () => {
        clearInterval(alive);
        if (exited) return;
        send({ type: 'stop' });
        const timer = setTimeout(() => void worker.terminate(), 5_000);
        await exit;
        clearTimeout(timer);
      })()),
  };
}
