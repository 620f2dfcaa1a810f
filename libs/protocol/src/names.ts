import type { Channel } from './messages/message.js';

/**
 * Broker names, in one place. Commands, jobs and updates travel on durable queues reached
 * through the default exchange (one consumer group each: the aggregator, the trainers, the
 * aggregator); events go to a fanout exchange so every api replica gets its own copy. Messages
 * that fail validation are rejected without requeue and the queues' dead-letter exchange
 * routes them to the dead queue.
 */
export const QUEUE_NAMES = {
  control: 'fedssd.control',
  jobs: 'fedssd.jobs',
  updates: 'fedssd.updates',
  dead: 'fedssd.dead',
} as const;

export const EXCHANGE_NAMES = {
  /** Fanout exchange for round and run events. */
  events: 'fedssd.events',
  /** Fanout dead-letter exchange bound to {@link QUEUE_NAMES.dead}. */
  dlx: 'fedssd.dlx',
} as const;

/** Queue-bound channels (events are an exchange, each subscriber binds its own queue). */
export type QueueChannel = Exclude<Channel, 'events'>;

/**
 * All broker names with an optional prefix, so tests and parallel deployments can use
 * disjoint topologies (`prefix` 'test-abc' gives 'test-abc.fedssd.jobs').
 */
export function brokerNames(prefix = '') {
  const p = prefix === '' ? '' : `${prefix}.`;
  return {
    control: `${p}${QUEUE_NAMES.control}`,
    jobs: `${p}${QUEUE_NAMES.jobs}`,
    updates: `${p}${QUEUE_NAMES.updates}`,
    dead: `${p}${QUEUE_NAMES.dead}`,
    events: `${p}${EXCHANGE_NAMES.events}`,
    dlx: `${p}${EXCHANGE_NAMES.dlx}`,
  } as const;
}

export type BrokerNames = ReturnType<typeof brokerNames>;
