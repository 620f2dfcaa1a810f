import type { BlobStore, PutBlobOptions } from '../ports.js';
import { checkFenced, checkTtl } from '../checks.js';
import { FencedWriteError } from '../errors.js';
import { ExpiringMap } from './expiring-map.js';

/** In-memory {@link BlobStore}; stores copies so callers cannot mutate stored blobs. */
export class InMemoryBlobStore implements BlobStore {
  private readonly blobs: ExpiringMap<Uint8Array>;

  /** `fenceOf` reads a run's fencing counter (the state fake's), for fenced writes; without it every fenced write is refused. */
  constructor(
    now?: () => number,
    private readonly fenceOf: (runId: string) => number | undefined = () => undefined,
  ) {
    this.blobs = new ExpiringMap(now);
  }

  async putBlob(key: string, bytes: Uint8Array, opts: PutBlobOptions = {}): Promise<boolean> {
    checkTtl(opts.ttlSeconds);
    checkFenced(opts);
    if (opts.fence !== undefined && this.fenceOf(opts.fence.runId) !== opts.fence.token) {
      throw new FencedWriteError(opts.fence.runId, opts.fence.token, `writing ${key}`);
    }
    if (opts.nx === true && this.blobs.has(key)) return false;
    this.blobs.set(key, bytes.slice(), opts.ttlSeconds);
    return true;
  }

  async getBlob(key: string): Promise<Uint8Array | null> {
    return this.blobs.get(key)?.slice() ?? null;
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    checkTtl(ttlSeconds);
    return this.blobs.expire(key, ttlSeconds);
  }

  async delete(keys: readonly string[]): Promise<number> {
    return keys.filter((key) => this.blobs.delete(key)).length;
  }

  /** Every live blob with its absolute expiry (epoch ms, or null); the bytes are the stored ones, not copies. */
  snapshot(): Array<[string, Uint8Array, number | null]> {
    return this.blobs.entriesWithExpiry();
  }

  /** Replaces everything with the entries of a {@link snapshot}. */
  restore(entries: ReadonlyArray<readonly [string, Uint8Array, number | null]>): void {
    for (const [key] of this.blobs.entriesWithExpiry()) this.blobs.delete(key);
    for (const [key, bytes, expiresAt] of entries) this.blobs.restore(key, bytes.slice(), expiresAt);
  }
}
