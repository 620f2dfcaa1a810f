/**
 * Body of the lease-renewing worker thread (see worker-lease-keeper.ts). It holds its own Redis
 * connection and renews every lease it was told to keep, every third of the lease time, so a
 * main thread that is busy for seconds (evaluating a model, folding updates) keeps its runs. It
 * stops renewing when the main thread has not said it is alive for `maxStallMs` (a hung event
 * loop should not keep runs forever), and reports each lease another owner took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { RENEW_SCRIPT } from './ownership-scripts.js';
import { redisConnectionOptions, type SentinelOptions } from './redis-connection.js';

/** What the main thread hands the worker at start. */
export interface LeaseWorkerData {
  readonly url: string;
  readonly sentinel?: SentinelOptions;
  readonly tls?: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array };
  readonly connectionName?: string;
  readonly owner: string;
  readonly ttlMs: number;
  readonly maxStallMs: number;
}

/** Main thread -> worker. Keys are full (prefix included): the worker knows no naming rules. */
export type LeaseWorkerCommand =
  | { readonly type: 'keep'; readonly runId: string; readonly token: number; readonly leaseKey: string; readonly fenceKey: string }
  | { readonly type: 'drop'; readonly runId: string }
  | { readonly type: 'alive' }
  | { readonly type: 'stop' };

/** Worker -> main thread. */
export type LeaseWorkerEvent =
  | { readonly type: 'lost'; readonly runId: string; readonly token: number }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'stalled'; readonly sinceMs: number };

const port = parentPort;
if (port === null) throw new Error('lease-keeper-worker must run as a worker thread');
const data = workerData as LeaseWorkerData;
const buf = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b));
const target = redisConnectionOptions(data.url, data.sentinel);
const redisOptions = {
  ...target.options,
  ...(data.connectionName !== undefined ? { connectionName: data.connectionName } : {}),
  ...(data.tls !== undefined ? { tls: { ca: buf(data.tls.ca), cert: buf(data.tls.cert), key: buf(data.tls.key) } } : {}),
  // A renewal that waits longer than a lease is worthless: fail fast and try again next tick.
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(50 * 2 ** times, 1_000),
};
const redis = target.url !== undefined ? new Redis(target.url, redisOptions) : new Redis(redisOptions);
redis.on('error', () => {}); // reported through failing renewals

const kept = new Map<string, { token: number; leaseKey: string; fenceKey: string }>();
let lastAlive = Date.now();
let stalled = false;
let renewing = false;

async function renewAll(): Promise<void> {
  if (renewing) return;
  const sinceMs = Date.now() - lastAlive;
  if (sinceMs > data.maxStallMs) {
    if (!stalled) port!.postMessage({ type: 'stalled', sinceMs } satisfies LeaseWorkerEvent);
    stalled = true;
    return;
  }
  stalled = false;
  renewing = true;
  try {
    await Promise.all(
      [...kept].map(async ([runId, lease]) => {
        try {
          const ok = await redis.eval(RENEW_SCRIPT, 2, lease.leaseKey, lease.fenceKey, data.owner, lease.token, data.ttlMs);
          if (ok !== 1 && kept.get(runId)?.token === lease.token) {
            kept.delete(runId);
            port!.postMessage({ type: 'lost', runId, token: lease.token } satisfies LeaseWorkerEvent);
          }
        } catch (error) {
          port!.postMessage({ type: 'error', message: `renewing ${runId}: ${(error as Error).message}` } satisfies LeaseWorkerEvent);
        }
      }),
    );
  } finally {
    renewing = false;
  }
}

const timer = setInterval(() => void renewAll(), Math.max(50, Math.floor(data.ttlMs / 3)));

port.on('message', (command: LeaseWorkerCommand) => {
  if (command.type === 'keep') {
    kept.set(command.runId, { token: command.token, leaseKey: command.leaseKey, fenceKey: command.fenceKey });
  } else if (command.type === 'drop') kept.delete(command.runId);
  else if (command.type === 'alive') lastAlive = Date.now();
  else {
    clearInterval(timer);
    kept.clear();
    void redis
      .quit()
      .catch(() => redis.disconnect())
      .finally(() => port!.close());
  }
});
