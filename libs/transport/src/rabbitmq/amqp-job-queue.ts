import { encodeMessage, type TrainJob } from '@fedssd/protocol';
import { checkPrefetch } from '../checks.js';
import { dispatchJob } from '../dispatch.js';
import type { ConsumeOptions, JobHandler, JobQueue, Subscription } from '../ports.js';
import type { AmqpConnection } from './amqp-connection.js';
import { AmqpConsumer } from './amqp-consumer.js';
import { publishConfirmed } from './publish.js';

/** {@link JobQueue} on RabbitMQ: durable `jobs` queue, persistent messages, confirms, manual acks. */
export class AmqpJobQueue implements JobQueue {
  constructor(private readonly connection: AmqpConnection) {}

  async publishJob(job: TrainJob): Promise<void> {
    await publishConfirmed(this.connection, '', this.connection.names.jobs, encodeMessage(job));
  }

  async consumeJobs(handler: JobHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    const onInvalid = this.connection.options.onInvalidMessage;
    const consumer = new AmqpConsumer(
      this.connection,
      { queue: this.connection.names.jobs },
      checkPrefetch(opts.prefetch ?? 1),
      (bytes, redelivered, settle) => {
        void dispatchJob(bytes, redelivered, settle, handler, onInvalid);
      },
    );
    await this.connection.addListener(consumer);
    return { cancel: () => consumer.cancel() };
  }

  async depth(): Promise<number> {
    const channel = await this.connection.publisherChannel();
    const { messageCount } = await channel.checkQueue(this.connection.names.jobs);
    return messageCount;
  }
}
