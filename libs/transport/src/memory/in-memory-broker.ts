import { DEFAULT_JOB_ATTEMPTS, MESSAGE_ATTEMPTS, type QueueChannel } from '@fedssd/protocol';
import { MemoryQueue, type DeathReason } from './memory-queue.js';

/** Options of {@link InMemoryBroker}. */
export interface InMemoryBrokerOptions {
  /** Deliveries of a job before it is dead-lettered (as `FEDSSD_JOB_ATTEMPTS`); default 5. */
  readonly jobAttempts?: number;
}

/**
 * The shared state of the in-memory fakes: the three work queues (with the delivery limits of
 * the broker's quorum queues), the event fanout, the dead-letter list and the job-failures
 * queue. A dead letter goes to both, as the broker's dead-letter fanout copies it to
 * `fedssd.dead` and `fedssd.job-failures`. One broker backs an {@link InMemoryJobQueue} and an
 * {@link InMemoryEventBus}, like one RabbitMQ vhost.
 */
export class InMemoryBroker {
  /** Raw bodies of dead-lettered messages, oldest first (the fake's `fedssd.dead`). */
  readonly deadLetters: Uint8Array[] = [];
  readonly queues: Record<QueueChannel, MemoryQueue>;
  /** Every dead letter with why and where it died (the fake's `fedssd.job-failures`). */
  readonly failures: MemoryQueue;
  private readonly eventQueues = new Set<MemoryQueue>();

  constructor(options: InMemoryBrokerOptions = {}) {
    const dead = (queue: string) => (bytes: Uint8Array, reason: DeathReason) => {
      this.deadLetters.push(bytes);
      this.failures.push(bytes, { reason, queue });
    };
    // Its own dead letters (a handler that keeps throwing) are dropped, as the broker drops them.
    this.failures = new MemoryQueue(() => undefined, MESSAGE_ATTEMPTS);
    this.queues = {
      control: new MemoryQueue(dead('control'), MESSAGE_ATTEMPTS),
      jobs: new MemoryQueue(dead('jobs'), options.jobAttempts ?? DEFAULT_JOB_ATTEMPTS),
      updates: new MemoryQueue(dead('updates'), MESSAGE_ATTEMPTS),
    };
  }

  /**
   * A private queue bound to the events fanout, removed with `unbind`. Like the broker's (declared
   * without a dead-letter exchange), it drops what it rejects.
   */
  bindEventQueue(): { queue: MemoryQueue; unbind: () => void } {
    const queue = new MemoryQueue(() => {});
    this.eventQueues.add(queue);
    return { queue, unbind: () => void this.eventQueues.delete(queue) };
  }

  /** Fanout: every bound subscriber queue gets a copy; with none bound the event is dropped. */
  publishEvent(bytes: Uint8Array): void {
    for (const queue of this.eventQueues) queue.push(bytes);
  }

  /** Publishes raw bytes, bypassing validation (tests inject poison messages with it). */
  publishRaw(channel: QueueChannel | 'events', bytes: Uint8Array): void {
    if (channel === 'events') this.publishEvent(bytes);
    else this.queues[channel].push(bytes);
  }
}
