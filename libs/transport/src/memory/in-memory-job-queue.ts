import { encodeMessage, type TrainJob } from '@fedssd/protocol';
import { checkPrefetch } from '../checks.js';
import { dispatchJob, dispatchJobFailure, type InvalidMessageListener } from '../dispatch.js';
import type { ConsumeOptions, JobFailureHandler, JobHandler, JobQueue, Subscription } from '../ports.js';
import { InMemoryBroker } from './in-memory-broker.js';

/** In-memory {@link JobQueue} with the RabbitMQ adapter's semantics (prefetch, acks, redelivery, delivery limit, dead-letters). */
export class InMemoryJobQueue implements JobQueue {
  constructor(
    readonly broker: InMemoryBroker = new InMemoryBroker(),
    private readonly onInvalid?: InvalidMessageListener,
  ) {}

  async publishJob(job: TrainJob): Promise<void> {
    this.broker.queues.jobs.push(encodeMessage(job));
  }

  async consumeJobs(handler: JobHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    const prefetch = checkPrefetch(opts.prefetch ?? 1);
    const consumer = this.broker.queues.jobs.consume(prefetch, (delivery) => {
      const settle = (how: 'ack' | 'requeue' | 'dead') => async () => consumer.settle(delivery, how);
      void dispatchJob(
        delivery.bytes,
        delivery.redelivered,
        { ack: settle('ack'), requeue: settle('requeue'), dead: settle('dead') },
        handler,
        this.onInvalid,
      );
    });
    return { cancel: async () => consumer.cancel() };
  }

  async consumeFailures(handler: JobFailureHandler): Promise<Subscription> {
    const consumer = this.broker.failures.consume(1, (delivery) => {
      const settle = (how: 'ack' | 'requeue' | 'dead') => async () => consumer.settle(delivery, how);
      void dispatchJobFailure(
        delivery.bytes,
        { reason: delivery.death?.reason, queue: delivery.death?.queue },
        { ack: settle('ack'), requeue: settle('requeue'), dead: settle('dead') },
        handler,
      );
    });
    return { cancel: async () => consumer.cancel() };
  }

  async depth(): Promise<number> {
    return this.broker.queues.jobs.depth;
  }
}
