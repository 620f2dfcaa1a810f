import { FencedWriteError } from '../errors.js';
import type { Fence, LeaseHolder, RunOwnershipStore } from '../ports.js';
import type { InMemoryStateStore } from './in-memory-state-store.js';

/**
 * In-memory {@link RunOwnershipStore} with the Redis scripts' rules. The fencing counters live
 * in the state fake (as the fence keys live in Redis next to the records), so its fenced
 * commits and the blob fake's fenced writes check the same token. `now` (epoch ms) lets tests
 * expire leases with a fake clock.
 */
export class InMemoryOwnershipStore implements RunOwnershipStore {
  private readonly leases = new Map<string, { owner: string; token: number; expiresAt: number }>();
  private readonly active = new Set<string>();
  private readonly inboxes = new Map<string, string[]>();

  constructor(
    private readonly state: InMemoryStateStore,
    private readonly now: () => number = Date.now,
  ) {}

  private live(runId: string) {
    const lease = this.leases.get(runId);
    if (lease !== undefined && lease.expiresAt <= this.now()) {
      this.leases.delete(runId);
      return undefined;
    }
    return lease;
  }

  async acquire(runId: string, owner: string, ttlMs: number): Promise<number | null> {
    const lease = this.live(runId);
    if (lease !== undefined) {
      if (lease.owner !== owner) return null;
      lease.expiresAt = this.now() + ttlMs;
      return lease.token;
    }
    const token = (this.state.fenceToken(runId) ?? 0) + 1;
    this.state.setFenceToken(runId, token);
    this.leases.set(runId, { owner, token, expiresAt: this.now() + ttlMs });
    return token;
  }

  async renew(fence: Fence, owner: string, ttlMs: number): Promise<boolean> {
    if (this.state.fenceToken(fence.runId) !== fence.token) return false;
    const lease = this.live(fence.runId);
    if (lease !== undefined && lease.owner !== owner) return false;
    this.leases.set(fence.runId, { owner, token: fence.token, expiresAt: this.now() + ttlMs });
    return true;
  }

  async release(fence: Fence, owner: string): Promise<void> {
    const lease = this.live(fence.runId);
    if (lease !== undefined && lease.owner === owner && lease.token === fence.token) this.leases.delete(fence.runId);
  }

  async holder(runId: string): Promise<LeaseHolder | null> {
    const lease = this.live(runId);
    return lease === undefined ? null : { owner: lease.owner, token: lease.token, ttlMs: lease.expiresAt - this.now() };
  }

  async markActive(runId: string): Promise<void> {
    this.active.add(runId);
  }

  async markEnded(runId: string): Promise<void> {
    this.active.delete(runId);
  }

  async orphans(): Promise<string[]> {
    return [...this.active].filter((runId) => this.live(runId) === undefined).sort();
  }

  async forward(runId: string, entry: string): Promise<void> {
    const inbox = this.inboxes.get(runId) ?? [];
    inbox.push(entry);
    this.inboxes.set(runId, inbox);
  }

  async peekForwarded(runId: string): Promise<string | null> {
    return this.inboxes.get(runId)?.[0] ?? null;
  }

  async popForwarded(fence: Fence): Promise<void> {
    if (this.state.fenceToken(fence.runId) !== fence.token) {
      throw new FencedWriteError(fence.runId, fence.token, 'removing a handled inbox entry');
    }
    this.inboxes.get(fence.runId)?.shift();
  }
}
