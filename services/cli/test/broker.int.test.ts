import { randomUUID } from 'node:crypto';
import { brokerNames } from '@fedssd/protocol';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helper.js';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const unavailable = await amqp.connect(RABBITMQ_URL, { timeout: 2_000 }).then(
  (c) => c.close().then(() => undefined),
  (error: Error) => error.message,
);
if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`CI=true and RabbitMQ does not answer: ${unavailable}`);

describe('fedssd broker upgrade-queues: mistakes', () => {
  it('when the subcommand is missing or unknown, then one line names what is expected and the exit code is 2', async () => {
    const result = await runCli(['broker', 'upgrade']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fedssd: broker: expected upgrade-queues \(got "upgrade"\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('when FEDSSD_JOB_ATTEMPTS is out of range, then the variable and its range are named, exit 2', async () => {
    const result = await runCli(['broker', 'upgrade-queues'], 60_000, { ...process.env, FEDSSD_JOB_ATTEMPTS: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('FEDSSD_JOB_ATTEMPTS');
    expect(result.stderr).toMatch(/between 1 and 100/);
  });

  it('when the broker cannot be reached, then one line says so, exit 2, no stack trace', async () => {
    const result = await runCli(['broker', 'upgrade-queues'], 60_000, { ...process.env, RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fedssd: broker upgrade-queues: .*ECONNREFUSED/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(unavailable !== undefined)('fedssd broker upgrade-queues on the real broker', () => {
  const prefix = `clibroker-${randomUUID().slice(0, 8)}`;
  const names = brokerNames(prefix);
  afterAll(async () => {
    const c = await amqp.connect(RABBITMQ_URL);
    const ch = await c.createChannel();
    for (const q of [names.control, names.jobs, names.updates, names.dead, names.jobFailures]) await ch.deleteQueue(q);
    await ch.deleteExchange(names.events);
    await ch.deleteExchange(names.dlx);
    await c.close();
  });

  it('when a classic topology holds jobs, then the command carries them over and says so per queue', async () => {
    const c = await amqp.connect(RABBITMQ_URL);
    const ch = await c.createConfirmChannel();
    await ch.assertExchange(names.dlx, 'fanout', { durable: true });
    await ch.assertQueue(names.dead, { durable: true });
    for (const q of [names.control, names.jobs, names.updates])
      await ch.assertQueue(q, { durable: true, arguments: { 'x-dead-letter-exchange': names.dlx } });
    ch.sendToQueue(names.jobs, Buffer.from('a job'), { persistent: true });
    await ch.waitForConfirms();
    await c.close();
    const result = await runCli(['broker', 'upgrade-queues'], 120_000, { ...process.env, RABBITMQ_URL, FEDSSD_PREFIX: prefix });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      `${names.dead}: upgraded`,
      `${names.jobFailures}: created`,
      `${names.control}: upgraded`,
      `${names.jobs}: upgraded, 1 message(s) carried over`,
      `${names.updates}: upgraded`,
      'every queue is a quorum queue; start the services again',
    ]);
  });
});
