import { brokerNames, type BrokerNames } from '@fedssd/protocol';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { TopologyMismatchError, TransportUnavailableError } from '../errors.js';
import { checkTlsScheme, tlsSocketOptions } from '../tls.js';
import { brokerEndpoints, endpointLabel, EndpointRotation } from './endpoints.js';
import { withDefaults, type AmqpOptions, type ResolvedAmqpOptions } from './options.js';
import { assertTopology } from './topology.js';

/** Something re-established on every (re)connection, e.g. a consumer and its channel. */
export interface ConnectionListener {
  open(connection: ChannelModel): Promise<void>;
}

type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/**
 * One AMQP connection with a confirm channel for publishing, the topology declared on it, and
 * automatic reconnection: when the broker closes the connection, reconnect with exponential
 * backoff (capped), redeclare the topology and reopen every registered listener. With several
 * endpoints (the nodes of a cluster) each attempt tries them all in turn, starting after the
 * node that dropped us, so losing that node costs one reconnect, not an outage.
 */
export class AmqpConnection {
  readonly names: BrokerNames;
  readonly options: ResolvedAmqpOptions;
  private state: State = 'idle';
  private connection: ChannelModel | undefined;
  private publisher: ConfirmChannel | undefined;
  private readonly listeners = new Set<ConnectionListener>();
  private waiters: Array<{ resolve: (ch: ConfirmChannel) => void; reject: (e: Error) => void }> = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closing: Promise<void> | undefined;
  private connecting = false;
  private readonly rotation: EndpointRotation;

  constructor(options: AmqpOptions) {
    this.options = withDefaults(options);
    this.rotation = new EndpointRotation(brokerEndpoints(this.options.url));
    for (const url of this.rotation.endpoints) checkTlsScheme(url, this.options.tls, 'amqps:');
    this.names = brokerNames(this.options.prefix);
  }

  /** Connects (retrying for `startTimeoutMs`) and declares the topology (unless `declareTopology` is false). */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    const deadline = Date.now() + this.options.startTimeoutMs;
    for (;;) {
      try {
        await this.connectOnce();
        return;
      } catch (error) {
        // A queue declared with other arguments stays that way until someone upgrades it: fail at once.
        if (error instanceof TopologyMismatchError) {
          this.state = 'idle';
          throw error;
        }
        if (this.isClosing() || Date.now() + this.delayMs() > deadline) {
          this.state = this.isClosing() ? this.state : 'idle';
          throw new TransportUnavailableError(`cannot connect to RabbitMQ: ${(error as Error).message}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, this.delayMs()));
        this.failures++;
      }
    }
  }

  /** The publishing channel, waiting up to `publishTimeoutMs` for a (re)connection. */
  async publisherChannel(): Promise<ConfirmChannel> {
    if (this.publisher !== undefined) return this.publisher;
    if (this.isClosing()) throw new TransportUnavailableError('RabbitMQ connection is closed');
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (ch: ConfirmChannel) => (clearTimeout(timer), resolve(ch)),
        reject: (e: Error) => (clearTimeout(timer), reject(e)),
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new TransportUnavailableError(`no RabbitMQ connection within ${this.options.publishTimeoutMs} ms`));
      }, this.options.publishTimeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Registers a listener and opens it now if connected; it is reopened after every reconnect. */
  async addListener(listener: ConnectionListener): Promise<void> {
    this.listeners.add(listener);
    if (this.connection !== undefined) await listener.open(this.connection);
  }

  removeListener(listener: ConnectionListener): void {
    this.listeners.delete(listener);
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  private isClosing(): boolean {
    return this.state === 'closing' || this.state === 'closed';
  }

  private delayMs(): number {
    return Math.min(this.options.reconnectMaxDelayMs, this.options.reconnectInitialDelayMs * 2 ** Math.min(this.failures, 30));
  }

  /** One attempt: each endpoint once, in rotation order; throws if none of them opened. */
  private async connectOnce(): Promise<void> {
    this.connecting = true;
    const failures: string[] = [];
    let last: unknown;
    try {
      for (const url of this.rotation.order()) {
        try {
          await this.openConnection(url);
          return;
        } catch (error) {
          // A refused declaration is the same on every node of a cluster; closing ends the attempt.
          if (error instanceof TopologyMismatchError || this.isClosing()) throw error;
          failures.push(`${endpointLabel(url)}: ${(error as Error).message}`);
          last = error;
        }
      }
    } finally {
      this.connecting = false;
    }
    if (failures.length === 1) throw last;
    throw new Error(`no broker endpoint answered (${failures.join('; ')})`, { cause: last });
  }

  private async openConnection(url: string): Promise<void> {
    const connection = await amqp.connect(url, {
      noDelay: true, // Nagle adds ~40 ms to every serial round trip
      timeout: this.options.connectTimeoutMs, // amqplib clears it once the connection is open
      clientProperties: { connection_name: this.options.connectionName },
      ...(this.options.tls !== undefined ? tlsSocketOptions(this.options.tls) : {}),
    });
    // 'error' is always followed by 'close'; handling 'close' is enough, but an unhandled 'error' would crash.
    connection.on('error', () => {});
    connection.on('close', (error: unknown) => this.onClosed(connection, error));
    try {
      const publisher = await connection.createConfirmChannel();
      publisher.on('error', () => {});
      // A channel-level error (e.g. publishing to a deleted exchange) closes only the channel:
      // restart the whole connection so every channel comes back in a known state.
      publisher.on('close', () => {
        if (this.connection === connection && !this.isClosing()) void connection.close().catch(() => {});
      });
      if (this.options.declareTopology) await assertTopology(connection, publisher, this.names, this.options.jobAttempts);
      if (this.options.extraTopology) await this.options.extraTopology(publisher);
      if (this.isClosing()) throw new Error('closed while connecting');
      this.connection = connection;
      for (const listener of this.listeners) await listener.open(connection);
      if (this.connection !== connection) throw new Error('connection lost while opening channels');
      this.publisher = publisher;
    } catch (error) {
      this.connection = undefined;
      await connection.close().catch(() => {});
      throw error;
    }
    this.state = 'open';
    this.failures = 0;
    this.rotation.connectedTo(url);
    this.options.onConnectionEvent?.('connected', { endpoint: endpointLabel(url) });
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(this.publisher);
  }

  private onClosed(connection: ChannelModel, error: unknown): void {
    if (this.connection !== connection) return; // a connection we already replaced or abandoned
    this.connection = undefined;
    this.publisher = undefined;
    this.rotation.lost();
    // While connecting, the failing connectOnce call retries; scheduling here would start a second loop.
    if (this.isClosing() || this.connecting) return;
    this.options.onConnectionEvent?.('disconnected', error);
    this.state = 'reconnecting';
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.delayMs();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.isClosing()) return;
      this.connectOnce().catch((error: unknown) => {
        this.failures++;
        this.options.onConnectionEvent?.('reconnect-failed', error);
        if (!this.isClosing()) this.scheduleReconnect();
      });
    }, delay);
  }

  /**
   * Idempotent, ordered shutdown; each step in its own try/catch so one failure does not stop
   * the rest: stop reconnecting, fail waiting publishers, close the publisher channel, close the
   * connection (which closes consumer channels and returns their unacked messages to the queues).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
      for (const waiter of this.waiters) waiter.reject(new TransportUnavailableError('RabbitMQ connection closed'));
      this.waiters = [];
      const { publisher, connection } = this;
      this.publisher = undefined;
      this.connection = undefined;
      try {
        await publisher?.close();
      } catch {
        // already closed with the connection
      }
      try {
        await connection?.close();
      } catch {
        // the broker may already have dropped it
      }
      this.listeners.clear();
      this.state = 'closed';
    })();
    return this.closing;
  }
}
