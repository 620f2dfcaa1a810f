import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { brokerNames, type RoundRecord, type RunRecord } from '@fedssd/protocol';
import {
  createAmqpTransport,
  createRedisStores,
  createRunRepository,
  type AmqpTransport,
  type RedisStores,
  type RunRepository,
} from '@fedssd/transport';
import { freePort, startService, waitFor, type ServiceProcess } from '../../../tools/test-support/processes.js';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const run = promisify(execFile);

/** Our own connections to the broker and Redis, under a unique prefix, plus everything started on them. */
export interface Stack {
  readonly prefix: string;
  readonly token: string;
  readonly amqp: AmqpTransport;
  readonly redis: RedisStores;
  readonly runs: RunRepository;
  readonly services: Map<string, ServiceProcess>;
  readonly apiUrl: string;
  /** Environment every service shares (broker, Redis, prefix, wasm backend). */
  readonly env: Record<string, string>;
  start(name: string, service: 'api' | 'aggregator' | 'trainer', extra?: Record<string, string>): ServiceProcess;
  /** GET/POST on the api with the bearer token; returns status and parsed JSON. */
  http<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  round(runId: string, round: number): Promise<RoundRecord | null>;
  runRecord(runId: string): Promise<RunRecord | null>;
  /** Waits until the run is finished (throws on failed) within `timeoutMs`. */
  finished(runId: string, timeoutMs: number): Promise<RunRecord>;
  /** Ready messages on the jobs queue, through our own channel (milliseconds, unlike rabbitmqctl). */
  jobsReady(): Promise<number>;
  /** Ready + unacked messages on the jobs, updates and control queues, from rabbitmqctl. */
  queueCounts(): Promise<Record<string, { ready: number; unacked: number }>>;
  /** Waits until service `name` logged a line whose msg is `msg` (e.g. 'aggregator ready'); returns that JSON line. */
  logged(name: string, msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Base URL of a service's ops server (its 'metrics listening' log line gives the port). */
  opsUrl(name: string): Promise<string>;
  /** Last lines of every service's output, for failure messages. */
  dump(): string;
  /** Kills every process, deletes every queue and key under the prefix, closes our connections. */
  cleanup(): Promise<void>;
}

/** Connects under a fresh prefix, or returns why it cannot (a failure under CI=true is the caller's call). */
export async function createStack(
  label: string,
  options: {
    redisUrl?: string;
    jobAttempts?: number;
    sentinel?: { sentinels: string; name: string };
    /** Another broker (e.g. a test's own cluster): its URL list and how to run rabbitmqctl against it. */
    rabbitmq?: { url: string; ctl: (args: readonly string[]) => Promise<string> };
  } = {},
): Promise<Stack | string> {
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const rabbitUrl = options.rabbitmq?.url ?? RABBITMQ_URL;
  const ctl = options.rabbitmq?.ctl ?? (async (args: readonly string[]) => (await run('rabbitmqctl', args)).stdout);
  const prefix = `faults-${label}-${randomUUID().slice(0, 8)}`;
  let amqp: AmqpTransport | undefined;
  let redis: RedisStores;
  try {
    // The test's own connection declares the topology first: with the services' job attempts.
    const jobAttempts = options.jobAttempts !== undefined ? { jobAttempts: options.jobAttempts } : {};
    amqp = await createAmqpTransport({ url: rabbitUrl, prefix, connectionName: prefix, startTimeoutMs: 3_000, ...jobAttempts });
    const sentinel =
      options.sentinel === undefined
        ? undefined
        : {
            name: options.sentinel.name,
            sentinels: options.sentinel.sentinels.split(',').map((e) => ({ host: e.split(':')[0]!, port: Number(e.split(':')[1]) })),
          };
    redis = await createRedisStores({ url: redisUrl, keyPrefix: `${prefix}:`, connectTimeoutMs: 3_000, ...(sentinel ? { sentinel } : {}) });
  } catch (error) {
    await amqp?.close().catch(() => undefined);
    return `RabbitMQ (${rabbitUrl}) or Redis (${redisUrl}) not reachable: ${(error as Error).message}`;
  }
  const token = `faults-token-${randomUUID()}`;
  const apiPort = await freePort();
  const env = {
    RABBITMQ_URL: rabbitUrl,
    REDIS_URL: redisUrl,
    FEDSSD_PREFIX: prefix,
    LOG_LEVEL: 'info',
    FEDSSD_BACKEND: 'wasm',
    SHUTDOWN_GRACE_MS: '20000',
    ...(options.jobAttempts !== undefined ? { FEDSSD_JOB_ATTEMPTS: String(options.jobAttempts) } : {}),
    ...(options.sentinel !== undefined ? { REDIS_SENTINELS: options.sentinel.sentinels, REDIS_SENTINEL_NAME: options.sentinel.name } : {}),
  };
  const services = new Map<string, ServiceProcess>();
  const runs = createRunRepository(redis.state, redis.blobs);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const names = brokerNames(prefix);
  const stack: Stack = {
    prefix,
    token,
    amqp,
    redis,
    runs,
    services,
    apiUrl,
    env,
    start(name, service, extra = {}) {
      const own: Record<string, string> =
        service === 'api'
          ? { API_PORT: String(apiPort), API_HOST: '127.0.0.1', API_TOKEN: token }
          : service === 'aggregator'
            ? {
                AGGREGATOR_METRICS_PORT: '0',
                AGGREGATOR_METRICS_HOST: '127.0.0.1',
                AGGREGATOR_EVAL_TEST_LIMIT: '40',
                AGGREGATOR_QUEUE_POLL_MS: '500',
              }
            : { TRAINER_METRICS_PORT: '0', TRAINER_METRICS_HOST: '127.0.0.1', TRAINER_ID: `${prefix}-${name}` };
      const p = startService(name, service, { ...env, ...own, ...extra });
      services.set(name, p);
      return p;
    },
    async http(method, path, body) {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, json: (text === '' ? null : JSON.parse(text)) as never };
    },
    round: (runId, round) => runs.getRound(runId, round),
    runRecord: (runId) => runs.getRun(runId),
    finished: (runId, timeoutMs) =>
      waitFor(
        `run ${runId} to finish`,
        async () => {
          const r = await runs.getRun(runId);
          if (r?.status === 'failed') throw new Error(`run failed: ${r.error}`);
          return r?.status === 'finished' ? r : undefined;
        },
        timeoutMs,
        250,
      ),
    async jobsReady() {
      const ch = await amqp!.connection.publisherChannel();
      return (await ch.checkQueue(names.jobs)).messageCount;
    },
    async queueCounts() {
      const stdout = await ctl(['-q', 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged']);
      const out: Record<string, { ready: number; unacked: number }> = {};
      for (const line of stdout.split('\n')) {
        const [name, ready, unacked] = line.trim().split('\t');
        for (const q of ['jobs', 'updates', 'control', 'dead'] as const) {
          if (name === names[q]) out[q] = { ready: Number(ready), unacked: Number(unacked) };
        }
      }
      return out;
    },
    logged: (name, msg, timeoutMs = 90_000) =>
      waitFor(
        `${name} to log "${msg}"`,
        async () => {
          const p = services.get(name);
          if (p === undefined) throw new Error(`no service ${name}`);
          if (p.child.exitCode !== null) throw new Error(`${name} exited with ${p.child.exitCode}:\n${p.output().slice(-3000)}`);
          return logLines(p.output()).find((l) => l.msg === msg);
        },
        timeoutMs,
        200,
      ),
    async opsUrl(name) {
      const line = await stack.logged(name, 'metrics listening');
      return `http://127.0.0.1:${String(line.port)}`;
    },
    dump: () => {
      // FEDSSD_FAULT_LOG_DIR keeps every service's whole output (the message shows only the tails).
      const dir = process.env.FEDSSD_FAULT_LOG_DIR;
      if (dir !== undefined && dir !== '') {
        mkdirSync(dir, { recursive: true });
        for (const s of services.values()) writeFileSync(join(dir, `${prefix}-${s.name}.log`), s.output());
      }
      return [...services.values()].map((s) => `----- ${s.name} -----\n${s.output().slice(-3000)}`).join('\n');
    },
    async cleanup() {
      await Promise.all([...services.values()].map((s) => s.kill()));
      services.clear();
      await amqp!.deleteTopology().catch(() => undefined);
      await amqp!.close().catch(() => undefined);
      await redis.deleteAll().catch(() => undefined);
      await redis.close().catch(() => undefined);
    },
  };
  return stack;
}

/** Under CI=true a missing broker or Redis fails the test; elsewhere it is skipped with the reason. */
export function skipOrFail(reason: string, skip: (note: string) => void): void {
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  skip(reason);
}

/**
 * Starts the aggregator, the named trainers and the api (in that order, `env` added to each) and
 * resolves once the api answers and every one of them logged that it is ready.
 */
export async function startServices(stack: Stack, trainers: readonly string[], env?: Record<string, string>): Promise<void> {
  stack.start('aggregator', 'aggregator', env);
  for (const t of trainers) stack.start(t, 'trainer', env);
  stack.start('api', 'api', env);
  await Promise.all([
    waitHealthy(stack),
    stack.logged('aggregator', 'aggregator ready'),
    ...trainers.map((t) => stack.logged(t, 'trainer ready')),
  ]);
}

/** Polls the api's /healthz until it answers. */
export async function waitHealthy(stack: Stack, timeoutMs = 90_000): Promise<void> {
  await waitFor('api /healthz', async () => ((await fetch(`${stack.apiUrl}/healthz`)).ok ? true : undefined), timeoutMs, 300);
}

/** The JSON log lines in a service's output (pino writes one object per line). */
export function logLines(output: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the output buffer; ignore
    }
  }
  return lines;
}
