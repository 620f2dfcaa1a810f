import type { Message } from '@fedssd/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { BusSubscription, CommandBus } from './ports.js';

export type EventListener = (message: Message) => void;

/**
 * One subscription to the events fanout per api process, shared by every SSE client: with
 * RabbitMQ each subscription binds a queue, so a queue per browser tab would not scale.
 * Subscribes on the first listener and stays subscribed until {@link close}.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>();
  private subscription: Promise<BusSubscription> | undefined;
  private closed = false;

  constructor(
    private readonly bus: Pick<CommandBus, 'subscribe'>,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Adds a listener; resolves to its removal function once the hub is subscribed. */
  async add(listener: EventListener): Promise<() => void> {
    if (this.closed) throw new Error('event hub is closed');
    this.subscription ??= this.bus.subscribe('events', async (message) => this.dispatch(message));
    try {
      await this.subscription;
    } catch (error) {
      this.subscription = undefined; // let the next client retry
      throw error;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  private dispatch(message: Message): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        this.log.warn({ err: error }, 'event listener failed');
      }
    }
  }

  /** Idempotent: drops listeners and cancels the bus subscription. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    const pending = this.subscription;
    this.subscription = undefined;
    if (pending === undefined) return;
    try {
      await (await pending).cancel();
    } catch (error) {
      this.log.warn({ err: error }, 'cancelling the events subscription failed');
    }
  }
}
