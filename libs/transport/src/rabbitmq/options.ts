import type { Channel } from 'amqplib';
import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import type { InvalidMessageListener } from '../dispatch.js';
import type { TlsOptions } from '../tls.js';

/** Options of the RabbitMQ adapter. */
export interface AmqpOptions {
  /**
   * e.g. `amqp://guest:guest@127.0.0.1:5672`; or several comma-separated URLs, the nodes of one
   * cluster, tried in turn on every (re)connect (`brokerEndpoints`).
   */
  url: string;
  /** Prefix of every queue and exchange name (tests use a unique one); default none. */
  prefix?: string;
  /** Shown by `rabbitmqctl list_connections` as the client's `connection_name`. */
  connectionName?: string;
  /** First reconnect delay in milliseconds; doubles per failed attempt. Default 100. */
  reconnectInitialDelayMs?: number;
  /** Cap of the reconnect delay in milliseconds. Default 5000. */
  reconnectMaxDelayMs?: number;
  /**
   * How long one endpoint may take to accept the TCP connection and finish the AMQP handshake,
   * in milliseconds. Default 10000. Without it, a cluster node whose address silently drops
   * packets would hold each attempt for the OS connect timeout (minutes) before the next node.
   */
  connectTimeoutMs?: number;
  /** How long `start()` keeps retrying the first connection, in milliseconds. Default 30000. */
  startTimeoutMs?: number;
  /** How long a publish waits for a (re)connection before failing, in milliseconds. Default 30000. */
  publishTimeoutMs?: number;
  /** Called for each message dead-lettered because it failed validation. */
  onInvalidMessage?: InvalidMessageListener;
  /** CA, client certificate and key for an `amqps:` URL; default: system CAs, no client certificate. */
  tls?: TlsOptions;
  /**
   * Declare the simulation-mode topology on every (re)connect; default true. A site connects with
   * false: its user has no configure permission, and provisioning declared its queue already.
   */
  declareTopology?: boolean;
  /**
   * More topology to declare on every (re)connect, after the simulation topology (e.g. the
   * aggregator's federated exchanges and queue: `declareFederatedTopology` of @fedssd/federation).
   */
  extraTopology?: (channel: Channel) => Promise<void>;
  /**
   * Deliveries of a job before the broker dead-letters it (the jobs queue's `x-delivery-limit`
   * is this minus one); default 5. Every service that declares the topology must use the same
   * value: the broker refuses a second declaration with another limit.
   */
  jobAttempts?: number;
  /** Connection lifecycle notifications, for logs ('connected', 'disconnected', 'reconnect-failed'). */
  onConnectionEvent?: (event: 'connected' | 'disconnected' | 'reconnect-failed', detail?: unknown) => void;
}

export function withDefaults(opts: AmqpOptions) {
  return {
    ...opts,
    prefix: opts.prefix ?? '',
    connectionName: opts.connectionName ?? 'fedssd',
    reconnectInitialDelayMs: opts.reconnectInitialDelayMs ?? 100,
    reconnectMaxDelayMs: opts.reconnectMaxDelayMs ?? 5_000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
    publishTimeoutMs: opts.publishTimeoutMs ?? 30_000,
    declareTopology: opts.declareTopology ?? true,
    jobAttempts: checkAttempts(opts.jobAttempts ?? DEFAULT_JOB_ATTEMPTS),
  };
}

export type ResolvedAmqpOptions = ReturnType<typeof withDefaults>;

/** Job attempts the broker can count: 1 (no retry) to 100. */
function checkAttempts(attempts: number): number {
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new RangeError(`jobAttempts must be an integer between 1 and 100 (got ${String(attempts)})`);
  }
  return attempts;
}
