import type { Channel } from './messages/message.js';

/**
 * Broker names, in one place. Commands, jobs and updates travel on durable quorum queues reached
 * through the default exchange (one consumer group each: the aggregator, the trainers, the
 * aggregator); events go to a fanout exchange so every api replica gets its own copy. Messages
 * that fail validation are rejected without requeue, and messages delivered more often than
 * their queue's delivery limit are dead-lettered by the broker: the dead-letter fanout copies
 * each to the dead queue (for people) and to the job-failures queue (the aggregators' copy, from
 * which they learn that a client's job failed).
 */
export const QUEUE_NAMES = {
  control: 'fedssd.control',
  jobs: 'fedssd.jobs',
  updates: 'fedssd.updates',
  dead: 'fedssd.dead',
  jobFailures: 'fedssd.job-failures',
} as const;

/**
 * Deliveries of a job (first delivery included) before the broker dead-letters it, unless the
 * deployment sets `FEDSSD_JOB_ATTEMPTS`. A trainer killed or shut down while holding a job, or a
 * handler that throws, spends one.
 */
export const DEFAULT_JOB_ATTEMPTS = 5;

/**
 * Deliveries of a command or update-ready message before the broker dead-letters it: a guard
 * against a message that makes its handler throw forever. Fixed (not a setting) because every
 * service declares these queues and the broker refuses a second declaration with another limit.
 */
export const MESSAGE_ATTEMPTS = 20;

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
    jobFailures: `${p}${QUEUE_NAMES.jobFailures}`,
    events: `${p}${EXCHANGE_NAMES.events}`,
    dlx: `${p}${EXCHANGE_NAMES.dlx}`,
  } as const;
}

export type BrokerNames = ReturnType<typeof brokerNames>;

/** The queue arguments of one durable queue. */
export type QueueArguments = Record<string, string | number>;

/**
 * Arguments of a work queue (control, jobs, updates, and federated mode's site-updates queue and
 * per-site job queues): a quorum queue (replicated, and it counts deliveries) that dead-letters a
 * message once it has been delivered `attempts` times — the broker's `x-delivery-limit` counts
 * returns, so `attempts - 1` of them — or rejected without requeue. At-least-once dead-lettering
 * keeps a message in its queue until the dead-letter queues confirmed the copy, so a failed job
 * cannot vanish between the two (it needs `reject-publish` overflow; no length limit is set, so
 * that never refuses a publish).
 */
export function workQueueArguments(dlx: string, attempts: number): QueueArguments {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': attempts - 1,
    'x-dead-letter-exchange': dlx,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}
