import type { DeliveryOrigin } from '@fedssd/protocol';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { RawSettler } from '../dispatch.js';
import type { AmqpConnection, ConnectionListener } from './amqp-connection.js';

/** Pause before reopening a consumer channel the broker closed, in milliseconds. */
const CHANNEL_REOPEN_DELAY_MS = 200;

/** Where a consumer reads: a named durable queue, or a private queue bound to a fanout exchange. */
export type ConsumerSource = { queue: string } | { fanout: string };

/**
 * Receives each delivery with a settler bound to the channel that delivered it, who the broker
 * says sent it, and the message headers (where the broker records dead-lettering).
 */
export type RawDeliveryHandler = (
  bytes: Uint8Array,
  redelivered: boolean,
  settle: RawSettler,
  origin: DeliveryOrigin,
  headers: Readonly<Record<string, unknown>>,
) => void;

/**
 * One consumer on its own channel (so its prefetch and unacked messages are its own). Reopened
 * after every reconnect; cancelling closes the channel, which hands unacked messages back to
 * the queue with the redelivered flag set.
 */
export class AmqpConsumer implements ConnectionListener {
  private channel: Channel | undefined;
  private cancelled = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly source: ConsumerSource,
    private readonly prefetch: number,
    private readonly onDelivery: RawDeliveryHandler,
  ) {}

  async open(connection: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    const channel = await connection.createChannel();
    channel.on('error', () => {}); // always followed by 'close'
    channel.on('close', () => this.onChannelClosed(connection, channel));
    this.channel = channel;
    await channel.prefetch(this.prefetch);
    let queue: string;
    if ('queue' in this.source) queue = this.source.queue;
    else {
      // Events are notifications: a private, auto-deleted queue per subscriber gets a copy of each.
      // No dead-letter exchange: an invalid event is dropped (the run state in Redis is the record).
      // Declaring one would need write permission on the dead-letter fanout, and with it the api
      // could forge dead letters that fail other clients' jobs (service-users.int.test.ts).
      ({ queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false }));
      await channel.bindQueue(queue, this.source.fanout, '');
    }
    await channel.consume(queue, (message) => {
      // null: the broker cancelled the consumer (queue deleted); the next reconnect restores it.
      if (message !== null) this.deliver(channel, message);
    });
  }

  /**
   * A channel-level error (e.g. a stale delivery tag) closes only this channel: reopen it on the
   * same connection after a pause. If the whole connection went down, reopening fails here and
   * the reconnect reopens every consumer instead.
   */
  private onChannelClosed(connection: ChannelModel, channel: Channel): void {
    if (this.cancelled || this.channel !== channel) return;
    this.channel = undefined;
    const timer = setTimeout(() => {
      if (!this.cancelled && this.channel === undefined) this.open(connection).catch(() => {});
    }, CHANNEL_REOPEN_DELAY_MS);
    timer.unref(); // never keep a closing process alive just to reopen a channel
  }

  private deliver(channel: Channel, message: ConsumeMessage): void {
    // Settling on a channel that has closed throws; the broker requeues those messages anyway.
    const safely = (fn: () => void) => async () => {
      try {
        fn();
      } catch {
        // channel closed: the message returns to the queue and is redelivered
      }
    };
    const settle: RawSettler = {
      ack: safely(() => channel.ack(message)),
      requeue: safely(() => channel.nack(message, false, true)),
      dead: safely(() => channel.nack(message, false, false)),
    };
    const { content } = message;
    const userId = typeof message.properties.userId === 'string' ? message.properties.userId : undefined;
    this.onDelivery(
      new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
      message.fields.redelivered,
      settle,
      { userId, routingKey: message.fields.routingKey },
      (message.properties.headers ?? {}) as Record<string, unknown>,
    );
  }

  /** Stops deliveries and returns unacked messages to the queue. Idempotent. */
  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.connection.removeListener(this);
    const channel = this.channel;
    this.channel = undefined;
    try {
      await channel?.close();
    } catch {
      // already closed with its connection
    }
  }
}
