import type { AmqpConnection } from './amqp-connection.js';

/** Attempts per publish; a retry happens only when the connection dropped before the confirm. */
const PUBLISH_ATTEMPTS = 3;

/**
 * Publishes a persistent message and waits for the broker's confirm. If the connection drops
 * first, waits for the reconnect and publishes again: at-least-once, so consumers must (and do)
 * tolerate duplicates (NX update keys, idempotent round commands).
 */
export async function publishConfirmed(
  connection: AmqpConnection,
  exchange: string,
  routingKey: string,
  bytes: Uint8Array,
  /** AMQP `user_id`: RabbitMQ refuses the publish unless it equals the connection's user. */
  userId?: string,
): Promise<void> {
  const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let attempt = 1; ; attempt++) {
    const channel = await connection.publisherChannel();
    try {
      channel.publish(exchange, routingKey, content, {
        persistent: true,
        contentType: 'application/json',
        ...(userId !== undefined ? { userId } : {}),
      });
      await channel.waitForConfirms();
      return;
    } catch (error) {
      if (attempt >= PUBLISH_ATTEMPTS) throw error;
    }
  }
}
