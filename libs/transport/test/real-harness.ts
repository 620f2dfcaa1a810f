import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { createAmqpTransport, createRedisStores, type AmqpOptions } from '../src/index.js';
import type { TransportHarness } from './conformance.js';
import { text } from './helpers.js';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why the real services cannot be used, or undefined when both answer. */
export async function probeServices(): Promise<string | undefined> {
  const problems: string[] = [];
  try {
    const connection = await amqp.connect(RABBITMQ_URL, { timeout: 2_000 });
    await connection.close();
  } catch (error) {
    problems.push(`RabbitMQ at ${RABBITMQ_URL}: ${(error as Error).message}`);
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(`Redis at ${REDIS_URL}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** A harness over real RabbitMQ + Redis with a unique prefix; `close` deletes its queues and keys. */
export async function createRealHarness(amqpOptions: Partial<AmqpOptions> = {}) {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const rabbit = await createAmqpTransport({ url: RABBITMQ_URL, prefix, connectionName: prefix, startTimeoutMs: 5_000, ...amqpOptions });
  const stores = await createRedisStores({ url: REDIS_URL, keyPrefix: `${prefix}:` });
  const { names } = rabbit.connection;
  const harness: TransportHarness & { prefix: string; rabbit: typeof rabbit; stores: typeof stores } = {
    prefix,
    rabbit,
    stores,
    jobs: rabbit.jobs,
    bus: rabbit.bus,
    blobs: stores.blobs,
    state: stores.state,
    publishRaw: async (channel, bytes) => {
      const ch = await rabbit.connection.publisherChannel();
      if (channel === 'events') ch.publish(names.events, '', Buffer.from(bytes));
      else ch.sendToQueue(names[channel], Buffer.from(bytes), { persistent: true });
      await ch.waitForConfirms();
    },
    drainDeadLetters: async () => {
      const ch = await rabbit.connection.publisherChannel();
      const bodies: string[] = [];
      for (let m = await ch.get(names.dead, { noAck: true }); m !== false; m = await ch.get(names.dead, { noAck: true })) {
        bodies.push(text(m.content));
      }
      return bodies;
    },
    close: async () => {
      try {
        await rabbit.deleteTopology();
      } finally {
        await rabbit.close();
        await stores.deleteAll();
        await stores.close();
      }
    },
  };
  return harness;
}

const run = promisify(execFile);

/** Closes, from the broker's side, the connection whose client-provided name is `connectionName`. */
export async function closeConnectionFromServer(connectionName: string): Promise<void> {
  // Only our own connection: other engineers' services share this broker.
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties']);
  const line = stdout.split('\n').find((l) => l.includes(`{"connection_name","${connectionName}"}`));
  const pid = line?.split('\t')[0];
  if (pid === undefined) throw new Error(`no broker connection named ${connectionName}`);
  await run('rabbitmqctl', ['-q', 'close_connection', pid, 'test']);
}
