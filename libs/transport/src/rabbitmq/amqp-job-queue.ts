import { encodeMessage, type TrainJob } from '@fedssd/protocol';
import { checkPrefetch } from '../checks.js';
import { dispatchJob, dispatchJobFailure } from '../dispatch.js';
import type { ConsumeOptions, JobFailureHandler, JobHandler, JobQueue, Subscription } from '../ports.js';
import type { AmqpConnection } from './amqp-connection.js';
import { AmqpConsumer } from './amqp-consumer.js';
import { publishConfirmed } from './publish.js';

/**
 * {@link JobQueue} on RabbitMQ: durable `jobs` queue, persistent messages, confirms, manual acks.
 * A site's trainer passes its own queue (`fedssd.jobs.site.NAME`); its user may only read it.
 */
export class AmqpJobQueue implements JobQueue {
  private readonly queue: string;

  constructor(
    private readonly connection: AmqpConnection,
    queue?: string,
  ) {
    this.queue = queue ?? connection.names.jobs;
  }

  async publishJob(job: TrainJob): Promise<void> {
    await publishConfirmed(this.connection, '', this.queue, encodeMessage(job));
  }

  async consumeJobs(handler: JobHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    const onInvalid = this.connection.options.onInvalidMessage;
    const consumer = new AmqpConsumer(
      this.connection,
      { queue: this.queue },
      checkPrefetch(opts.prefetch ?? 1),
      (bytes, redelivered, settle) => {
        void dispatchJob(bytes, redelivered, settle, handler, onInvalid);
      },
    );
    await this.connection.addListener(consumer);
    return { cancel: () => consumer.cancel() };
  }

  async consumeFailures(handler: JobFailureHandler): Promise<Subscription> {
    const consumer = new AmqpConsumer(
      this.connection,
      { queue: this.connection.names.jobFailures },
      1,
      (bytes, _redelivered, settle, _origin, headers) => {
        const text = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined);
        void dispatchJobFailure(bytes, { reason: text('x-first-death-reason'), queue: text('x-first-death-queue') }, settle, handler);
      },
    );
    await this.connection.addListener(consumer);
    return { cancel: () => consumer.cancel() };
  }

  async depth(): Promise<number> {
    const channel = await this.connection.publisherChannel();
    const { messageCount } = await channel.checkQueue(this.queue);
    return messageCount;
  }
}
