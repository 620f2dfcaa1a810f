import { federatedNames } from '@fedssd/protocol';
import type { Subscription } from '../ports.js';
import { dispatchSiteMessage, type RejectedSiteMessageListener, type SiteMessageHandler } from '../site/dispatch-site-message.js';
import type { AmqpConnection } from './amqp-connection.js';
import { AmqpConsumer } from './amqp-consumer.js';

/**
 * The aggregator's side of federated mode: consumes the durable `fedssd.site-updates` queue
 * (declared by `declareFederatedTopology` of @fedssd/federation), attributing each message to
 * the site whose user the broker authenticated. Prefetch 1 keeps a site's messages in order.
 */
export async function subscribeSiteMessages(
  connection: AmqpConnection,
  handler: SiteMessageHandler,
  onRejected?: RejectedSiteMessageListener,
): Promise<Subscription> {
  const prefix = connection.options.prefix;
  const queue = federatedNames(prefix).siteUpdatesQueue;
  const consumer = new AmqpConsumer(connection, { queue }, 1, (bytes, redelivered, settle, origin) => {
    void dispatchSiteMessage(prefix, bytes, origin, redelivered, settle, handler, onRejected);
  });
  await connection.addListener(consumer);
  return { cancel: () => consumer.cancel() };
}
