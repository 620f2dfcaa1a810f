import { brokerNames, DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import amqp, { type ChannelModel, type MessageProperties, type Options } from 'amqplib';
import { TopologyMismatchError } from '../errors.js';
import { tlsSocketOptions, type TlsOptions } from '../tls.js';
import { brokerEndpoints } from './endpoints.js';
import type { QueueArguments } from '@fedssd/protocol';
import { assertTopology, declareQueue, durableQueues } from './topology.js';

/** What the upgrade did to one queue. */
export interface QueueUpgrade {
  readonly queue: string;
  /**
   * `created`: it did not exist; `kept`: already a quorum queue with these arguments; `upgraded`:
   * redeclared (classic -> quorum, or another delivery limit); `resumed`: an interrupted upgrade finished.
   */
  readonly action: 'created' | 'kept' | 'upgraded' | 'resumed';
  /** Messages carried over into the quorum queue. */
  readonly moved: number;
}

export interface UpgradeQueuesOptions {
  readonly url: string;
  readonly prefix?: string;
  /** As the services' FEDSSD_JOB_ATTEMPTS; default 5. */
  readonly jobAttempts?: number;
  readonly tls?: TlsOptions;
  /** Called once per queue as it is done (the CLI prints a line). */
  readonly onQueue?: (result: QueueUpgrade) => void;
}

/** The first endpoint of `options.url` (one URL or a cluster's comma-separated list) that answers. */
async function connectAny(options: UpgradeQueuesOptions): Promise<ChannelModel> {
  const endpoints = brokerEndpoints(options.url);
  for (const [i, url] of endpoints.entries()) {
    try {
      return await amqp.connect(url, { noDelay: true, ...(options.tls ? tlsSocketOptions(options.tls) : {}) });
    } catch (error) {
      if (i === endpoints.length - 1) throw error;
    }
  }
  throw new RangeError('RabbitMQ URL is empty'); // unreachable: brokerEndpoints never returns none
}

/** Suffix of the quorum queue that holds a queue's messages while the queue is recreated. */
export const HOLDING_SUFFIX = '.upgrade';

/**
 * Replaces the classic queues of a deployment by the quorum queues this release declares (or
 * queues declared with another `jobAttempts`), keeping every message: a queue cannot change type in place (the broker refuses a declaration
 * with other arguments), so each classic queue's messages move to a holding quorum queue
 * (`NAME.upgrade`), the classic queue is deleted (only when unused and empty), the quorum queue
 * is declared and the messages move back. Every move publishes with confirms before it acks, so
 * nothing is lost, and re-running after an interruption finishes the job (a message can be
 * copied twice if the run stops between a confirm and its ack: consumers already tolerate
 * duplicates). Services must be stopped first: a queue with consumers is refused, and a message
 * published while its queue is briefly absent would be dropped by the broker.
 */
export async function upgradeQueuesToQuorum(options: UpgradeQueuesOptions): Promise<QueueUpgrade[]> {
  const names = brokerNames(options.prefix ?? '');
  const connection = await connectAny(options);
  connection.on('error', () => {});
  const results: QueueUpgrade[] = [];
  try {
    for (const [queue, args] of durableQueues(names, options.jobAttempts ?? DEFAULT_JOB_ATTEMPTS)) {
      const result = await upgradeQueue(connection, queue, args);
      results.push(result);
      options.onQueue?.(result);
    }
    // Exchanges and bindings (deleting a queue removed its bindings).
    const channel = await connection.createChannel();
    await assertTopology(connection, channel, names, options.jobAttempts ?? DEFAULT_JOB_ATTEMPTS);
    await channel.close();
  } finally {
    await connection.close().catch(() => undefined);
  }
  return results;
}

async function upgradeQueue(connection: ChannelModel, queue: string, args: QueueArguments): Promise<QueueUpgrade> {
  const holding = `${queue}${HOLDING_SUFFIX}`;
  const existed = (await inspect(connection, queue)) !== undefined;
  const held = (await inspect(connection, holding)) !== undefined;
  try {
    await declareQueue(connection, queue, args);
  } catch (error) {
    if (!(error instanceof TopologyMismatchError)) throw error;
    const consumers = (await inspect(connection, queue))?.consumerCount ?? 0;
    if (consumers > 0) throw new Error(`queue ${queue} has ${consumers} consumer(s): stop every fedssd service before upgrading`);
    await declareQueue(connection, holding, { 'x-queue-type': 'quorum' });
    let moved = await move(connection, queue, holding);
    // Delete only an unused, empty queue: a message that arrived meanwhile is moved first. (A plain
    // delete after a check: RabbitMQ refuses if-empty/if-unused deletes of quorum queues, which
    // this also is when only its delivery limit changes.)
    for (;;) {
      const now = await inspect(connection, queue);
      if (now === undefined) break;
      if (now.consumerCount > 0)
        throw new Error(`queue ${queue} has ${now.consumerCount} consumer(s): stop every fedssd service before upgrading`);
      if (now.messageCount > 0) {
        moved += await move(connection, queue, holding);
        continue;
      }
      await deleteHolding(connection, queue);
      break;
    }
    await declareQueue(connection, queue, args);
    await move(connection, holding, queue);
    await deleteHolding(connection, holding);
    return { queue, action: 'upgraded', moved };
  }
  if (!held) return { queue, action: existed ? 'kept' : 'created', moved: 0 };
  const moved = await move(connection, holding, queue);
  await deleteHolding(connection, holding);
  return { queue, action: 'resumed', moved };
}

/** Messages and consumers of a queue, or undefined when it does not exist (checked on a throwaway channel: a 404 closes it). */
async function inspect(connection: ChannelModel, queue: string): Promise<{ messageCount: number; consumerCount: number } | undefined> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    return await channel.checkQueue(queue);
  } catch {
    return undefined;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/**
 * Deletes a queue found empty (no if-unused / if-empty flags: the broker refuses them for quorum
 * queues and closes the whole connection). With the services stopped nothing publishes to it;
 * if a message arrived anyway the broker says so in the reply, and this stops loudly.
 */
async function deleteHolding(connection: ChannelModel, queue: string): Promise<void> {
  const channel = await connection.createChannel();
  try {
    const { messageCount } = await channel.deleteQueue(queue);
    if (messageCount > 0)
      throw new Error(`queue ${queue} received ${messageCount} message(s) while being deleted: were the services stopped?`);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/**
 * Moves every message of `from` to `to`: get, publish with the same properties, wait for the
 * confirm, then ack. Each move has a channel of its own: RabbitMQ 3.10 crashes a channel that
 * published to a classic queue and then publishes to a quorum queue of the same name.
 */
async function move(connection: ChannelModel, from: string, to: string): Promise<number> {
  const channel = await connection.createConfirmChannel();
  let moved = 0;
  try {
    for (let m = await channel.get(from, { noAck: false }); m !== false; m = await channel.get(from, { noAck: false })) {
      channel.publish('', to, m.content, publishOptions(m.properties));
      await channel.waitForConfirms();
      channel.ack(m);
      moved += 1;
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
  return moved;
}

/**
 * The message's own properties, persistent. Dropped: `userId` (the broker refuses a user id that
 * is not the publisher's) and the `x-delivery-count` header a quorum queue adds (RabbitMQ 3.10
 * closes the connection with INTERNAL_ERROR when a publish into a quorum queue carries it).
 */
function publishOptions(p: MessageProperties): Options.Publish {
  const out: Options.Publish = { persistent: true };
  const copy = [
    'contentType',
    'contentEncoding',
    'priority',
    'correlationId',
    'replyTo',
    'expiration',
    'messageId',
    'timestamp',
    'type',
    'appId',
  ] as const;
  for (const key of copy) if (p[key] !== undefined && p[key] !== null) (out as Record<string, unknown>)[key] = p[key];
  if (p.headers !== undefined && p.headers !== null) {
    const headers = Object.fromEntries(Object.entries(p.headers as Record<string, unknown>).filter(([k]) => k !== 'x-delivery-count'));
    if (Object.keys(headers).length > 0) out.headers = headers;
  }
  return out;
}
