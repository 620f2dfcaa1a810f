import { federatedNames, MESSAGE_ATTEMPTS, workQueueArguments, type BrokerNames, type QueueArguments } from '@fedssd/protocol';
import type { Channel, ChannelModel } from 'amqplib';
import { TopologyMismatchError } from '../errors.js';

/**
 * Arguments of the two dead-letter queues: quorum, no dead-letter exchange of their own (a
 * message dead-lettered there would loop back). The job-failures queue is consumed by the
 * aggregators; its delivery limit drops a copy whose handler keeps throwing (the dead queue
 * still holds the original for people).
 */
export function deadQueueArguments(kind: 'dead' | 'jobFailures'): QueueArguments {
  return kind === 'dead' ? { 'x-queue-type': 'quorum' } : { 'x-queue-type': 'quorum', 'x-delivery-limit': MESSAGE_ATTEMPTS - 1 };
}

/** Every durable queue of the topology with its arguments, in declaration order. */
export function durableQueues(names: BrokerNames, jobAttempts: number): Array<[string, QueueArguments]> {
  return [
    [names.dead, deadQueueArguments('dead')],
    [names.jobFailures, deadQueueArguments('jobFailures')],
    [names.control, workQueueArguments(names.dlx, MESSAGE_ATTEMPTS)],
    [names.jobs, workQueueArguments(names.dlx, jobAttempts)],
    [names.updates, workQueueArguments(names.dlx, MESSAGE_ATTEMPTS)],
  ];
}

/**
 * Declares the topology (idempotent, run on every (re)connect): the dead-letter fanout bound to
 * the dead queue and the job-failures queue, the three work queues, and the durable events
 * fanout. Each queue is declared on a channel of its own: the broker refuses a declaration whose
 * arguments differ from the existing queue's (PRECONDITION_FAILED, e.g. a classic queue left by
 * an older release, or another FEDSSD_JOB_ATTEMPTS) by closing the channel, and that refusal
 * becomes a {@link TopologyMismatchError} naming the queue and the fix.
 */
export async function assertTopology(connection: ChannelModel, channel: Channel, names: BrokerNames, jobAttempts: number): Promise<void> {
  await channel.assertExchange(names.dlx, 'fanout', { durable: true });
  for (const [queue, args] of durableQueues(names, jobAttempts)) await declareQueue(connection, queue, args);
  await channel.bindQueue(names.dead, names.dlx, '');
  await channel.bindQueue(names.jobFailures, names.dlx, '');
  await channel.assertExchange(names.events, 'fanout', { durable: true });
}

/** Declares one durable queue on a throwaway channel; a PRECONDITION_FAILED becomes a TopologyMismatchError. */
export async function declareQueue(connection: ChannelModel, queue: string, args: QueueArguments): Promise<void> {
  const channel = await connection.createChannel();
  channel.on('error', () => {}); // a refused declaration closes the channel; the rejection below reports it
  try {
    await channel.assertQueue(queue, { durable: true, arguments: args });
  } catch (error) {
    const message = (error as Error).message;
    if (/PRECONDITION[-_]FAILED/.test(message)) throw new TopologyMismatchError(queue, message, { cause: error });
    throw error;
  } finally {
    await channel.close().catch(() => undefined);
  }
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
  for (const queue of [names.control, names.jobs, names.updates, names.dead, names.jobFailures]) await channel.deleteQueue(queue);
  await channel.deleteExchange(names.events);
  await channel.deleteExchange(names.dlx);
}
