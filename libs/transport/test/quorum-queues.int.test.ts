import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { brokerNames } from '@fedssd/protocol';
import amqp, { type ChannelModel } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { createAmqpTransport, TopologyMismatchError, upgradeQueuesToQuorum, type QueueUpgrade } from '../src/index.js';
import { job } from './helpers.js';
import { probeServices, RABBITMQ_URL } from './real-harness.js';

const run = promisify(execFile);
const unavailable = await probeServices();
if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`CI=true and the real services do not answer: ${unavailable}`);

/** Type and arguments of every queue of `prefix`, from the broker itself. */
async function queuesOf(prefix: string): Promise<Map<string, { type: string; args: string }>> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'type', 'arguments']);
  const out = new Map<string, { type: string; args: string }>();
  for (const line of stdout.split('\n')) {
    const [name, type, args] = line.split('\t');
    if (name?.startsWith(`${prefix}.`)) out.set(name, { type: type ?? '', args: args ?? '' });
  }
  return out;
}

/** The topology of the releases before quorum queues: classic durable queues dead-lettering into the fanout. */
async function declareClassicTopology(connection: ChannelModel, prefix: string): Promise<void> {
  const names = brokerNames(prefix);
  const ch = await connection.createChannel();
  await ch.assertExchange(names.dlx, 'fanout', { durable: true });
  await ch.assertQueue(names.dead, { durable: true });
  await ch.bindQueue(names.dead, names.dlx, '');
  for (const q of [names.control, names.jobs, names.updates]) {
    await ch.assertQueue(q, { durable: true, arguments: { 'x-dead-letter-exchange': names.dlx } });
  }
  await ch.assertExchange(names.events, 'fanout', { durable: true });
  await ch.close();
}

async function bodies(connection: ChannelModel, queue: string): Promise<Array<{ body: string; headers: unknown }>> {
  const ch = await connection.createChannel();
  const out: Array<{ body: string; headers: unknown }> = [];
  for (let m = await ch.get(queue, { noAck: true }); m !== false; m = await ch.get(queue, { noAck: true }))
    out.push({ body: m.content.toString('utf8'), headers: m.properties.headers });
  await ch.close();
  return out;
}

describe.skipIf(unavailable !== undefined)('quorum queues on the real broker', () => {
  let connection: ChannelModel | undefined;
  let prefix = '';
  const open = async () => {
    prefix = `test-qq-${randomUUID().slice(0, 8)}`;
    connection = await amqp.connect(RABBITMQ_URL);
    connection.on('error', () => {});
    return connection;
  };
  afterEach(async () => {
    if (connection === undefined) return;
    const names = brokerNames(prefix);
    for (const q of [names.control, names.jobs, names.updates, names.dead, names.jobFailures]) {
      for (const name of [q, `${q}.upgrade`]) {
        const ch = await connection.createChannel();
        ch.on('error', () => {});
        await ch.deleteQueue(name).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
    }
    const ch = await connection.createChannel();
    await ch.deleteExchange(names.events);
    await ch.deleteExchange(names.dlx);
    await connection.close();
    connection = undefined;
  });

  it('when the services declare the topology, then the work queues are quorum queues with the delivery limits and at-least-once dead-lettering', async () => {
    await open();
    const t = await createAmqpTransport({ url: RABBITMQ_URL, prefix, jobAttempts: 4, startTimeoutMs: 5_000 });
    await t.close();
    const names = brokerNames(prefix);
    const queues = await queuesOf(prefix);
    for (const q of [names.control, names.jobs, names.updates, names.dead, names.jobFailures])
      expect(queues.get(q)?.type, q).toBe('quorum');
    expect(queues.get(names.jobs)?.args).toContain('{"x-delivery-limit",3}');
    expect(queues.get(names.updates)?.args).toContain('{"x-delivery-limit",19}');
    expect(queues.get(names.jobs)?.args).toContain('{"x-dead-letter-strategy","at-least-once"}');
    expect(queues.get(names.dead)?.args).not.toContain('x-dead-letter-exchange');
  });

  it('when a classic queue of an older release is in the way, then start-up fails at once naming the queue and the upgrade command', async () => {
    const c = await open();
    await declareClassicTopology(c, prefix);
    const started = Date.now();
    const error = await createAmqpTransport({ url: RABBITMQ_URL, prefix, startTimeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopologyMismatchError);
    expect((error as Error).message).toMatch(/^queue test-qq-\w+\.fedssd\.(dead|control|jobs|updates) exists with other arguments/);
    expect((error as Error).message).toContain('fedssd broker upgrade-queues');
    expect(Date.now() - started, 'no retrying until startTimeoutMs').toBeLessThan(10_000);
  });

  it('when one service declares another job-attempt count, then it is refused with the delivery-limit difference named', async () => {
    await open();
    const first = await createAmqpTransport({ url: RABBITMQ_URL, prefix, jobAttempts: 5, startTimeoutMs: 5_000 });
    try {
      const error = await createAmqpTransport({ url: RABBITMQ_URL, prefix, jobAttempts: 3, startTimeoutMs: 5_000 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TopologyMismatchError);
      expect((error as Error).message).toMatch(/x-delivery-limit.*received '2' but current is '4'/);
      expect((error as Error).message).toContain('FEDSSD_JOB_ATTEMPTS');
    } finally {
      await first.close();
    }
  });

  it('when the upgrade runs over a classic topology holding messages, then every message is carried into quorum queues and the services start', async () => {
    const c = await open();
    await declareClassicTopology(c, prefix);
    const names = brokerNames(prefix);
    const ch = await c.createConfirmChannel();
    const sent: Record<string, string[]> = { control: ['c1'], jobs: ['j1', 'j2', 'j3'], updates: ['u1', 'u2'], dead: ['d1'] };
    for (const [q, list] of Object.entries(sent))
      for (const body of list) ch.sendToQueue(names[q as 'jobs'], Buffer.from(body), { persistent: true, headers: { 'x-test': body } });
    await ch.waitForConfirms();
    await ch.close();

    const seen: QueueUpgrade[] = [];
    const results = await upgradeQueuesToQuorum({ url: RABBITMQ_URL, prefix, onQueue: (r) => void seen.push(r) });
    expect(seen).toEqual(results);
    expect(Object.fromEntries(results.map((r) => [r.queue.slice(prefix.length + 1), [r.action, r.moved]]))).toEqual({
      'fedssd.dead': ['upgraded', 1],
      'fedssd.job-failures': ['created', 0],
      'fedssd.control': ['upgraded', 1],
      'fedssd.jobs': ['upgraded', 3],
      'fedssd.updates': ['upgraded', 2],
    });
    const queues = await queuesOf(prefix);
    expect([...queues.keys()].filter((q) => q.endsWith('.upgrade'))).toEqual([]);
    for (const [q, list] of Object.entries(sent)) {
      expect(queues.get(names[q as 'jobs'])?.type).toBe('quorum');
      // Bodies and our headers kept (a quorum queue adds its own x-delivery-count on delivery).
      expect(await bodies(c, names[q as 'jobs'])).toEqual(
        list.map((body) => ({ body, headers: expect.objectContaining({ 'x-test': body }) })),
      );
    }
    // The dead-letter fanout reaches both dead-letter queues again, and the services start.
    const t = await createAmqpTransport({ url: RABBITMQ_URL, prefix, startTimeoutMs: 5_000 });
    await t.close();
    const again = await upgradeQueuesToQuorum({ url: RABBITMQ_URL, prefix });
    expect(again.map((r) => r.action)).toEqual(['kept', 'kept', 'kept', 'kept', 'kept']);
  });

  it('when the job attempts change, then the upgrade redeclares the jobs queue with the new limit and keeps its jobs', async () => {
    const c = await open();
    const names = brokerNames(prefix);
    const t = await createAmqpTransport({ url: RABBITMQ_URL, prefix, jobAttempts: 5, startTimeoutMs: 5_000 });
    await t.jobs.publishJob(job(1));
    await t.close();
    const results = await upgradeQueuesToQuorum({ url: RABBITMQ_URL, prefix, jobAttempts: 3 });
    expect(results.find((r) => r.queue === names.jobs)).toEqual({ queue: names.jobs, action: 'upgraded', moved: 1 });
    expect(results.filter((r) => r.queue !== names.jobs).map((r) => r.action)).toEqual(['kept', 'kept', 'kept', 'kept']);
    expect((await queuesOf(prefix)).get(names.jobs)?.args).toContain('{"x-delivery-limit",2}');
    expect((await bodies(c, names.jobs)).map((b) => JSON.parse(b.body).clientId)).toEqual([1]);
  });

  it('when a service still consumes a classic queue, then the upgrade refuses and leaves the queue and its messages alone', async () => {
    const c = await open();
    await declareClassicTopology(c, prefix);
    const names = brokerNames(prefix);
    const consumer = await c.createChannel();
    await consumer.consume(names.dead, () => undefined);
    const error = await upgradeQueuesToQuorum({ url: RABBITMQ_URL, prefix }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`queue ${names.dead} has 1 consumer(s): stop every fedssd service before upgrading`);
    await consumer.close();
    expect((await queuesOf(prefix)).get(names.dead)?.type).toBe('classic');
  });

  it('when an upgrade was interrupted after deleting a classic queue, then running it again moves the held messages back', async () => {
    const c = await open();
    const names = brokerNames(prefix);
    const ch = await c.createConfirmChannel();
    await ch.assertExchange(names.dlx, 'fanout', { durable: true });
    await ch.assertQueue(`${names.jobs}.upgrade`, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    ch.sendToQueue(`${names.jobs}.upgrade`, Buffer.from('held'), { persistent: true });
    await ch.waitForConfirms();
    await ch.close();
    const results = await upgradeQueuesToQuorum({ url: RABBITMQ_URL, prefix });
    expect(results.find((r) => r.queue === names.jobs)).toEqual({ queue: names.jobs, action: 'resumed', moved: 1 });
    expect((await bodies(c, names.jobs)).map((b) => b.body)).toEqual(['held']);
    expect((await queuesOf(prefix)).has(`${names.jobs}.upgrade`)).toBe(false);
  });
});
