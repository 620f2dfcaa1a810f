import { federatedNames, MESSAGE_ATTEMPTS, SITE_ROUTING_PATTERN, workQueueArguments } from '@fedssd/protocol';
import type { Channel } from 'amqplib';

/**
 * The aggregator's side of federated mode's topology (idempotent; call it on every connect,
 * after the simulation topology, which declares the dead-letter exchange): the durable topic
 * exchange `fedssd.site-updates` sites publish to, the aggregator's queue of the same name bound
 * to it with `site.#` (a quorum queue with the updates queue's delivery limit, dead-lettering to
 * `fedssd.dlx`), and the direct exchange
 * `fedssd.site-jobs` that provisioning binds each site's job queue to.
 */
export async function declareFederatedTopology(channel: Channel, prefix: string): Promise<void> {
  const names = federatedNames(prefix);
  await channel.assertExchange(names.dlx, 'fanout', { durable: true });
  await channel.assertExchange(names.siteUpdatesExchange, 'topic', { durable: true });
  await channel.assertQueue(names.siteUpdatesQueue, { durable: true, arguments: workQueueArguments(names.dlx, MESSAGE_ATTEMPTS) });
  await channel.bindQueue(names.siteUpdatesQueue, names.siteUpdatesExchange, SITE_ROUTING_PATTERN);
  await channel.assertExchange(names.siteJobsExchange, 'direct', { durable: true });
}

/** Deletes what {@link declareFederatedTopology} declared except the shared dead-letter exchange (test clean-up). */
export async function deleteFederatedTopology(channel: Channel, prefix: string): Promise<void> {
  const names = federatedNames(prefix);
  await channel.deleteQueue(names.siteUpdatesQueue);
  await channel.deleteExchange(names.siteUpdatesExchange);
  await channel.deleteExchange(names.siteJobsExchange);
}
