import type { QueueChannel } from '@fedssd/protocol';
import { MemoryQueue } from './memory-queue.js';

/**
 * The shared state of the in-memory fakes: the three durable queues, the event fanout and the
 * dead-letter list. One broker backs an {@link InMemoryJobQueue} and an {@link InMemoryEventBus},
 * like one RabbitMQ vhost.
 */
export class InMemoryBroker {
  /** Raw bodies of dead-lettered messages, oldest first (the fake's `fedssd.dead`). */
  readonly deadLetters: Uint8Array[] = [];
  readonly queues: Record<QueueChannel, MemoryQueue>;
  private readonly eventQueues = new Set<MemoryQueue>();

  constructor() {
    const dead = (bytes: Uint8Array) => void this.deadLetters.push(bytes);
    this.queues = { control: new MemoryQueue(dead), jobs: new MemoryQueue(dead), updates: new MemoryQueue(dead) };
  }

  /** A private queue bound to the events fanout, removed with `unbind`. */
  bindEventQueue(): { queue: MemoryQueue; unbind: () => void } {
    const queue = new MemoryQueue((bytes) => void this.deadLetters.push(bytes));
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
