import { activeRunsKey, fenceKey, inboxKey, leaseKey } from '@fedssd/protocol';
import type { Redis } from 'ioredis';
import { FencedWriteError } from '../errors.js';
import type { Fence, LeaseHolder, RunOwnershipStore } from '../ports.js';
import { ACQUIRE_SCRIPT, FENCED_POP_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT } from './ownership-scripts.js';

/** An unclaimed inbox is kept this long at most (ms), so an ended run's late messages do not stay forever. */
const INBOX_TTL_MS = 86_400_000;

/** {@link RunOwnershipStore} on Redis: leases and fencing counters per run, the active-run set, inbox lists. */
export class RedisOwnershipStore implements RunOwnershipStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = '',
  ) {}

  private key(k: string): string {
    return this.prefix + k;
  }

  async acquire(runId: string, owner: string, ttlMs: number): Promise<number | null> {
    const token = Number(await this.redis.eval(ACQUIRE_SCRIPT, 2, this.key(leaseKey(runId)), this.key(fenceKey(runId)), owner, ttlMs));
    return token > 0 ? token : null;
  }

  async renew(fence: Fence, owner: string, ttlMs: number): Promise<boolean> {
    const keys = [this.key(leaseKey(fence.runId)), this.key(fenceKey(fence.runId))];
    return (await this.redis.eval(RENEW_SCRIPT, 2, ...keys, owner, fence.token, ttlMs)) === 1;
  }

  async release(fence: Fence, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key(leaseKey(fence.runId)), owner, fence.token);
  }

  async holder(runId: string): Promise<LeaseHolder | null> {
    const [text, ttlMs] = await Promise.all([this.redis.get(this.key(leaseKey(runId))), this.redis.pttl(this.key(leaseKey(runId)))]);
    if (text === null) return null;
    const lease = JSON.parse(text) as { owner: string; token: number };
    return { owner: lease.owner, token: lease.token, ttlMs: Math.max(0, ttlMs) };
  }

  async markActive(runId: string): Promise<void> {
    await this.redis.sadd(this.key(activeRunsKey()), runId);
  }

  async markEnded(runId: string): Promise<void> {
    await this.redis.srem(this.key(activeRunsKey()), runId);
  }

  async orphans(): Promise<string[]> {
    const runs = (await this.redis.smembers(this.key(activeRunsKey()))).sort();
    if (runs.length === 0) return [];
    const held = await Promise.all(runs.map((runId) => this.redis.exists(this.key(leaseKey(runId)))));
    return runs.filter((_, i) => held[i] === 0);
  }

  async forward(runId: string, entry: string): Promise<void> {
    await this.redis
      .multi()
      .rpush(this.key(inboxKey(runId)), entry)
      .pexpire(this.key(inboxKey(runId)), INBOX_TTL_MS)
      .exec();
  }

  peekForwarded(runId: string): Promise<string | null> {
    return this.redis.lindex(this.key(inboxKey(runId)), 0);
  }

  async popForwarded(fence: Fence): Promise<void> {
    const keys = [this.key(inboxKey(fence.runId)), this.key(fenceKey(fence.runId))];
    if ((await this.redis.eval(FENCED_POP_SCRIPT, 2, ...keys, fence.token)) === -2) {
      throw new FencedWriteError(fence.runId, fence.token, 'removing a handled inbox entry');
    }
  }
}
