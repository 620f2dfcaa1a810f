/** Why a message left its queue for the dead letters, as the broker's `x-first-death-reason` says it. */
export type DeathReason = 'rejected' | 'delivery_limit';

/** One message held by a {@link MemoryQueue}. */
export interface MemoryDelivery {
  readonly bytes: Uint8Array;
  redelivered: boolean;
  /** Times it went back to the queue (nacked with requeue, or its consumer went away). */
  returns: number;
  /** Set on a dead letter's copy: why and where it died. */
  readonly death?: { readonly reason: DeathReason; readonly queue: string };
}

/** Receives what a queue dead-letters. */
export type DeadLetterSink = (bytes: Uint8Array, reason: DeathReason) => void;

/** How a consumer settles a delivery: ack, back to the queue, or to the dead-letter list. */
export type Settlement = 'ack' | 'requeue' | 'dead';

interface MemoryConsumer {
  readonly prefetch: number;
  readonly unacked: Set<MemoryDelivery>;
  readonly deliver: (delivery: MemoryDelivery) => void;
  active: boolean;
}

/**
 * A queue with the delivery semantics of a RabbitMQ quorum queue, for the fakes: round-robin
 * over consumers, per-consumer prefetch, manual settlement, requeue-at-head with
 * `redelivered = true` when a delivery is nacked or its consumer is cancelled, and, with
 * `attempts`, a delivery limit: a message returned `attempts` times is dead-lettered with
 * reason 'delivery_limit' instead (the broker's `x-delivery-limit` of `attempts - 1`).
 */
export class MemoryQueue {
  private readonly ready: MemoryDelivery[] = [];
  private readonly consumers: MemoryConsumer[] = [];
  private next = 0;
  private scheduled = false;

  constructor(
    private readonly onDead: DeadLetterSink,
    private readonly attempts = Infinity,
  ) {}

  /** Messages waiting for a consumer. */
  get depth(): number {
    return this.ready.length;
  }

  push(bytes: Uint8Array, death?: MemoryDelivery['death']): void {
    this.ready.push({ bytes: bytes.slice(), redelivered: false, returns: 0, ...(death ? { death } : {}) });
    this.schedule();
  }

  /** Registers a consumer; returns its settle and cancel functions. */
  consume(prefetch: number, deliver: (delivery: MemoryDelivery) => void) {
    const consumer: MemoryConsumer = { prefetch, unacked: new Set(), deliver, active: true };
    this.consumers.push(consumer);
    this.schedule();
    const settle = (delivery: MemoryDelivery, how: Settlement): void => {
      // Settling twice or after cancel is a no-op, like a stale delivery tag on a closed channel.
      if (!consumer.unacked.delete(delivery)) return;
      if (how === 'requeue') this.requeue([delivery]);
      else if (how === 'dead') this.onDead(delivery.bytes, 'rejected');
      this.schedule();
    };
    const cancel = (): void => {
      if (!consumer.active) return;
      consumer.active = false;
      this.consumers.splice(this.consumers.indexOf(consumer), 1);
      this.requeue([...consumer.unacked]);
      consumer.unacked.clear();
      this.schedule();
    };
    return { settle, cancel };
  }

  private requeue(deliveries: MemoryDelivery[]): void {
    const back: MemoryDelivery[] = [];
    for (const delivery of deliveries) {
      delivery.redelivered = true;
      delivery.returns += 1;
      if (delivery.returns >= this.attempts) this.onDead(delivery.bytes, 'delivery_limit');
      else back.push(delivery);
    }
    this.ready.unshift(...back);
  }

  // Dispatch on a later tick so handlers never run re-entrantly inside publish or settle.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.ready.length > 0) {
      const consumer = this.pickConsumer();
      if (consumer === undefined) return;
      const delivery = this.ready.shift() as MemoryDelivery;
      consumer.unacked.add(delivery);
      consumer.deliver(delivery);
    }
  }

  private pickConsumer(): MemoryConsumer | undefined {
    for (let i = 0; i < this.consumers.length; i++) {
      const consumer = this.consumers[(this.next + i) % this.consumers.length];
      if (consumer !== undefined && consumer.unacked.size < consumer.prefetch) {
        this.next = (this.next + i + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }
}
