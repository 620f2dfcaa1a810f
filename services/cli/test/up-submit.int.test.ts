import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createAmqpTransport, createRedisStores, type AmqpTransport, type RedisStores } from '@fedssd/transport';
import { freePort } from '../../../tools/test-support/processes.js';
import { runCli } from './cli-helper.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `cli-${randomUUID().slice(0, 8)}`;
const TOKEN = `cli-token-${randomUUID()}`;
const main = new URL('../src/main.ts', import.meta.url).pathname;

let up: ChildProcess | undefined;
let upOutput = '';
let stores: { amqp: AmqpTransport; redis: RedisStores } | undefined;

afterAll(async () => {
  if (up && up.exitCode === null) {
    const exited = new Promise((r) => up!.once('exit', r));
    up.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (up.exitCode === null) up.kill('SIGKILL');
  }
  if (stores) {
    await stores.amqp.deleteTopology().catch(() => undefined);
    await stores.amqp.close();
    await stores.redis.deleteAll();
    await stores.redis.close();
  }
});

describe('fedssd up + fedssd submit on RabbitMQ and Redis', () => {
  it('when the stack is up and a run is submitted, then it follows the run to the end and prints the per-round table; Ctrl-C stops every service cleanly', async (ctx) => {
    try {
      stores = {
        amqp: await createAmqpTransport({ url: RABBITMQ_URL, prefix: PREFIX, connectionName: PREFIX, startTimeoutMs: 3_000 }),
        redis: await createRedisStores({ url: REDIS_URL, keyPrefix: `${PREFIX}:`, connectTimeoutMs: 3_000 }),
      };
    } catch (error) {
      const reason = `RabbitMQ (${RABBITMQ_URL}) or Redis (${REDIS_URL}) not reachable: ${(error as Error).message}`;
      if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
      ctx.skip(reason);
      return;
    }
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    up = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        main,
        'up',
        '--trainers',
        '2',
        '--api-port',
        String(apiPort),
        '--metrics-port',
        String(metricsPort),
        '--prefix',
        PREFIX,
        '--token',
        TOKEN,
        '--backend',
        'wasm',
      ],
      { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    up.stdout?.on('data', (d: Buffer) => {
      upOutput += d.toString();
    });
    up.stderr?.on('data', (d: Buffer) => {
      upOutput += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => up!.once('exit', (code) => resolve(code)));

    const ready = Date.now() + 120_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${apiPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > ready) throw new Error(`api not ready after 120 s:\n${upOutput.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const submit = await runCli(
      [
        'submit',
        '--api',
        `http://127.0.0.1:${apiPort}`,
        '--token',
        TOKEN,
        '--dataset',
        'synthetic',
        '--clients',
        '2',
        '--alpha',
        '100',
        '--rounds',
        '2',
        '--train-limit',
        '64',
        '--batch-size',
        '16',
        '--seed',
        '3',
      ],
      300_000,
    );
    expect(submit.stderr, upOutput.slice(-3000)).toContain('run finished after 2 round(s), global v2');
    expect(submit.stderr).toMatch(/round 1 closed \(all-reported\): 2 accepted, 0 rejected/);
    expect(submit.stdout).toMatch(/^2\s+all-reported\s+2\s+0\s+-?\d/m);
    expect(submit.code).toBe(0);

    up.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(upOutput).toContain('all services stopped cleanly');
  }, 400_000);

  it('when no token is given, then submit says how to get one and exits 2', async () => {
    // No broker needed: the token check comes before any request.
    const env = { ...process.env };
    delete env.FEDSSD_API_TOKEN;
    delete env.API_TOKEN;
    const r = await runCli(['submit', '--api', 'http://127.0.0.1:9', '--dataset', 'synthetic'], 60_000, env);
    expect(r.stderr).toMatch(/no API token: pass --token or set FEDSSD_API_TOKEN/);
    expect(r.code).toBe(2);
  });
});
