import { channelOf, encodeMessage, type MessageInput } from '@fedssd/protocol';
import { dispatchBusMessage } from '../dispatch.js';
import type { BusChannel, BusHandler, EventBus, Subscription } from '../ports.js';
import type { AmqpConnection } from './amqp-connection.js';
import { AmqpConsumer } from './amqp-consumer.js';
import { publishConfirmed } from './publish.js';

/** {@link EventBus} on RabbitMQ: commands and updates on durable queues, events on a fanout exchange. */
export class AmqpEventBus implements EventBus {
  constructor(private readonly connection: AmqpConnection) {}

  async publish(message: MessageInput): Promise<void> {
    const bytes = encodeMessage(message);
    const { names } = this.connection;
    const channel = channelOf(message.type);
    if (channel === 'events') await publishConfirmed(this.connection, names.events, '', bytes);
    else await publishConfirmed(this.connection, '', names[channel], bytes);
  }

  async subscribe(channel: BusChannel, handler: BusHandler): Promise<Subscription> {
    const { names, options } = this.connection;
    const source = channel === 'events' ? { fanout: names.events } : { queue: names[channel] };
    // Prefetch 1: one message in flight per subscriber keeps commands and updates in order.
    const consumer = new AmqpConsumer(this.connection, source, 1, (bytes, redelivered, settle) => {
      void dispatchBusMessage(bytes, redelivered, channel, settle, handler, options.onInvalidMessage);
    });
    await this.connection.addListener(consumer);
    return { cancel: () => consumer.cancel() };
  }
}
