import { randomUUID } from 'node:crypto';
import { federatedNames, MESSAGE_ATTEMPTS, workQueueArguments } from '@fedssd/protocol';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { createAmqpTransport, subscribeSiteMessages } from '../src/index.js';
import { waitFor } from './helpers.js';
import { createRealHarness, probeServices, RABBITMQ_URL } from './real-harness.js';

const unavailable = await probeServices();
if (unavailable !== undefined) {
  if (process.env.CI === 'true') throw new Error(`CI=true and the real services do not answer: ${unavailable}`);
  console.warn(`[transport] site-mode tests skipped: ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)('site mode on RabbitMQ', () => {
  it('when a connection is opened with declareTopology false, then it declares no queue or exchange', async () => {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const transport = await createAmqpTransport({ url: RABBITMQ_URL, prefix, declareTopology: false, startTimeoutMs: 5_000 });
    const probe = await amqp.connect(RABBITMQ_URL);
    try {
      expect(transport.connection.connected).toBe(true);
      const missing: string[] = [];
      for (const queue of [`${prefix}.fedssd.jobs`, `${prefix}.fedssd.control`, `${prefix}.fedssd.dead`]) {
        const channel = await probe.createChannel();
        channel.on('error', () => {});
        // A passive declare of a missing queue closes the channel with 404 NOT_FOUND.
        await channel.checkQueue(queue).then(
          () => channel.close(),
          (error: Error) => void missing.push(`${queue}: ${/NOT_FOUND/.test(error.message) ? 'not found' : error.message}`),
        );
      }
      expect(missing).toEqual([
        `${prefix}.fedssd.jobs: not found`,
        `${prefix}.fedssd.control: not found`,
        `${prefix}.fedssd.dead: not found`,
      ]);
    } finally {
      await transport.close();
      await probe.close();
    }
  });

  it('when messages reach the site-updates queue without a site user_id, then the consumer dead-letters them and never calls the handler', async () => {
    const harness = await createRealHarness();
    const names = federatedNames(harness.prefix);
    const channel = await harness.rabbit.connection.publisherChannel();
    await channel.assertQueue(names.siteUpdatesQueue, { durable: true, arguments: workQueueArguments(names.dlx, MESSAGE_ATTEMPTS) });
    const rejected: string[] = [];
    const handled: string[] = [];
    const sub = await subscribeSiteMessages(
      harness.rabbit.connection,
      async (m, d) => void handled.push(`${d.site}:${m.type}`),
      (reason) => void rejected.push(reason),
    );
    try {
      const body = Buffer.from(
        JSON.stringify({ type: 'site.heartbeat', version: 1, samples: 1, backend: 'x', softwareVersion: '1', sentAt: 1 }),
      );
      channel.sendToQueue(names.siteUpdatesQueue, body);
      channel.sendToQueue(names.siteUpdatesQueue, body, { userId: 'guest' });
      await channel.waitForConfirms();
      const dead: string[] = [];
      await waitFor(async () => (dead.push(...(await harness.drainDeadLetters())), dead.length >= 2), 5_000, 'two dead letters');
      expect(rejected.sort()).toEqual(['no user_id property', 'user_id "guest" is not a site of this deployment']);
      expect(handled).toEqual([]);
    } finally {
      await sub.cancel();
      await channel.deleteQueue(names.siteUpdatesQueue);
      await harness.close();
    }
  });
});
