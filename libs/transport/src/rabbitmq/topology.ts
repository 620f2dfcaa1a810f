import { federatedNames, type BrokerNames } from '@fedssd/protocol';
import type { Channel } from 'amqplib';

/**
 * Declares the topology (idempotent, run on every (re)connect): the three durable work queues
 * dead-letter into `dlx`, a fanout bound to the durable `dead` queue; events go through a
 * durable fanout exchange. Redeclaring with other arguments fails with PRECONDITION_FAILED,
 * which is why tests use a prefix of their own.
 */
export async function assertTopology(channel: Channel, names: BrokerNames): Promise<void> {
  await channel.assertExchange(names.dlx, 'fanout', { durable: true });
  await channel.assertQueue(names.dead, { durable: true });
  await channel.bindQueue(names.dead, names.dlx, '');
  const args = { 'x-dead-letter-exchange': names.dlx };
  for (const queue of [names.control, names.jobs, names.updates]) {
    await channel.assertQueue(queue, { durable: true, arguments: args });
  }
  await channel.assertExchange(names.events, 'fanout', { durable: true });
}

/**
 * Deletes everything {@link assertTopology} declared (test clean-up), and federated mode's
 * exchanges and site-updates queue when an aggregator declared them under the same prefix
 * (deleting a queue or exchange that does not exist is not an error in RabbitMQ).
 */
export async function deleteTopology(channel: Channel, names: BrokerNames, prefix: string): Promise<void> {
  const federated = federatedNames(prefix);
  await channel.deleteQueue(federated.siteUpdatesQueue);
  await channel.deleteExchange(federated.siteUpdatesExchange);
  await channel.deleteExchange(federated.siteJobsExchange);
  for (const queue of [names.control, names.jobs, names.updates, names.dead]) await channel.deleteQueue(queue);
  await channel.deleteExchange(names.events);
  await channel.deleteExchange(names.dlx);
}
