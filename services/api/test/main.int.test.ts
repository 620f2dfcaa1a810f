import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Exit {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Starts main.ts as its own process (as in production), with `env` on top of a minimal environment. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code) => resolve({ code, stderr, stdout })));
  return { child, exited, output: () => stdout };
}

describe('main.ts', () => {
  it('when the environment is invalid, then it exits 2 listing every problem', async () => {
    const { exited } = start({ API_PORT: '0', RABBITMQ_URL: 'http://x' });
    const exit = await exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('API_PORT: must be between 1 and 65535 (got 0)');
    expect(exit.stderr).toContain('API_TOKEN: must be set');
    expect(exit.stderr).toContain('RABBITMQ_URL: must be 1-16 comma-separated amqp:// or amqps:// URLs');
  });

  it('when started against RabbitMQ and Redis and sent SIGTERM with an event stream open, then it closes everything and exits 0', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const prefix = `test-main-${randomUUID().slice(0, 8)}`;
    const token = 'main-test-token-0123456789';
    const { child, exited, output } = start({
      API_TOKEN: token,
      API_PORT: String(port),
      API_HOST: '127.0.0.1',
      FEDSSD_PREFIX: prefix,
      ...(process.env.RABBITMQ_URL ? { RABBITMQ_URL: process.env.RABBITMQ_URL } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    });
    const base = `http://127.0.0.1:${port}`;
    let ready = false;
    for (let i = 0; i < 100 && !ready && child.exitCode === null; i++) {
      ready = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!ready) {
      child.kill('SIGKILL');
      const exit = await exited;
      if (process.env.CI === 'true') throw new Error(`api did not become ready: ${exit.stderr}`);
      console.warn(`skipped: api did not become ready (RabbitMQ/Redis unavailable?): ${exit.stderr.slice(0, 300)}`);
      return;
    }
    const auth = { authorization: `Bearer ${token}` };
    const created = await fetch(`${base}/v1/runs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"clients":2}',
    });
    expect(created.status).toBe(201);
    const { runId } = (await created.json()) as { runId: string };
    const stream = await fetch(`${base}/v1/runs/${runId}/events`, { headers: auth });
    const streamText = stream.text();
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(await streamText).toContain(`: subscribed to run ${runId}`);
    for (const step of ['http', 'rabbitmq', 'redis']) expect(output()).toContain(`"step":"${step}","msg":"closed"`);
    // Leave nothing behind on the shared broker and Redis.
    const { createAmqpTransport, createRedisStores } = await import('@fedssd/transport');
    const amqp = await createAmqpTransport({ url: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672', prefix });
    await amqp.deleteTopology();
    await amqp.close();
    const redis = await createRedisStores({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: `${prefix}:` });
    await redis.deleteAll();
    await redis.close();
  });
});
