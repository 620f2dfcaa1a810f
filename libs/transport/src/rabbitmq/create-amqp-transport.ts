import { AmqpConnection } from './amqp-connection.js';
import { AmqpEventBus } from './amqp-event-bus.js';
import { AmqpJobQueue } from './amqp-job-queue.js';
import type { AmqpOptions } from './options.js';
import { deleteTopology } from './topology.js';

/** The RabbitMQ side of the transport: one connection shared by the job queue and the bus. */
export interface AmqpTransport {
  readonly jobs: AmqpJobQueue;
  readonly bus: AmqpEventBus;
  readonly connection: AmqpConnection;
  /** Idempotent; cancels consumers (their unacked messages return to the queues) and disconnects. */
  close(): Promise<void>;
  /** Deletes this prefix's queues and exchanges (tests). */
  deleteTopology(): Promise<void>;
}

/** Connects (retrying up to `startTimeoutMs`), declares the topology and returns the adapters. */
export async function createAmqpTransport(options: AmqpOptions): Promise<AmqpTransport> {
  const connection = new AmqpConnection(options);
  await connection.start();
  return {
    jobs: new AmqpJobQueue(connection),
    bus: new AmqpEventBus(connection),
    connection,
    close: () => connection.close(),
    deleteTopology: async () => {
      const channel = await connection.publisherChannel();
      await deleteTopology(channel, connection.names, connection.options.prefix);
    },
  };
}
