import type { InvalidMessageListener } from '../dispatch.js';
import { InMemoryBlobStore } from './in-memory-blob-store.js';
import { InMemoryBroker } from './in-memory-broker.js';
import { InMemoryEventBus } from './in-memory-event-bus.js';
import { InMemoryJobQueue } from './in-memory-job-queue.js';
import { InMemoryOwnershipStore } from './in-memory-ownership-store.js';
import { InMemoryStateStore } from './in-memory-state-store.js';

/** Every fake over one broker, for `fedssd simulate` and service tests. */
export interface InMemoryTransport {
  readonly broker: InMemoryBroker;
  readonly jobs: InMemoryJobQueue;
  readonly bus: InMemoryEventBus;
  readonly blobs: InMemoryBlobStore;
  readonly state: InMemoryStateStore;
  /** Leases, fences and inboxes over `state` (several aggregators on one fake, in tests). */
  readonly ownership: InMemoryOwnershipStore;
}

export function createInMemoryTransport(
  opts: { now?: () => number; onInvalidMessage?: InvalidMessageListener; jobAttempts?: number } = {},
): InMemoryTransport {
  const broker = new InMemoryBroker(opts.jobAttempts !== undefined ? { jobAttempts: opts.jobAttempts } : {});
  const state = new InMemoryStateStore(opts.now);
  return {
    broker,
    jobs: new InMemoryJobQueue(broker, opts.onInvalidMessage),
    bus: new InMemoryEventBus(broker, opts.onInvalidMessage),
    blobs: new InMemoryBlobStore(opts.now, (runId) => state.fenceToken(runId)),
    state,
    ownership: new InMemoryOwnershipStore(state, opts.now),
  };
}
