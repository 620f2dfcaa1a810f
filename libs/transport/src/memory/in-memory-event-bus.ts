import { channelOf, encodeMessage, type MessageInput } from '@fedssd/protocol';
import { dispatchBusMessage, type InvalidMessageListener } from '../dispatch.js';
import type { BusChannel, BusHandler, EventBus, Subscription } from '../ports.js';
import { InMemoryBroker } from './in-memory-broker.js';
import type { MemoryQueue } from './memory-queue.js';

/** Bus deliveries are handled one at a time per subscriber, like prefetch 1 on the broker. */
const BUS_PREFETCH = 1;

/** In-memory {@link EventBus}: durable work queues for control and updates, a fanout for events. */
export class InMemoryEventBus implements EventBus {
  constructor(
    readonly broker: InMemoryBroker = new InMemoryBroker(),
    private readonly onInvalid?: InvalidMessageListener,
  ) {}

  async publish(message: MessageInput): Promise<void> {
    const bytes = encodeMessage(message);
    const channel = channelOf(message.type);
    if (channel === 'events') this.broker.publishEvent(bytes);
    else this.broker.queues[channel].push(bytes);
  }

  async subscribe(channel: BusChannel, handler: BusHandler): Promise<Subscription> {
    let queue: MemoryQueue;
    let unbind = () => {};
    if (channel === 'events') ({ queue, unbind } = this.broker.bindEventQueue());
    else queue = this.broker.queues[channel];
    const consumer = queue.consume(BUS_PREFETCH, (delivery) => {
      const settle = (how: 'ack' | 'requeue' | 'dead') => async () => consumer.settle(delivery, how);
      void dispatchBusMessage(
        delivery.bytes,
        delivery.redelivered,
        channel,
        { ack: settle('ack'), requeue: settle('requeue'), dead: settle('dead') },
        handler,
        this.onInvalid,
      );
    });
    return {
      cancel: async () => {
        consumer.cancel();
        unbind();
      },
    };
  }
}
