/** A map whose entries may carry a TTL, expired lazily on access (the fakes' stand-in for Redis TTLs). */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number | undefined }>();

  /** `now` returns epoch milliseconds; tests may pass a fake clock. */
  constructor(private readonly now: () => number = Date.now) {}

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Like Redis SET: replaces the value and clears any TTL unless a new one is given. */
  set(key: string, value: V, ttlSeconds?: number): void {
    this.entries.set(key, { value, expiresAt: ttlSeconds === undefined ? undefined : this.now() + ttlSeconds * 1000 });
  }

  /** Like Redis SET ... KEEPTTL: replaces the value and keeps the current TTL. */
  replace(key: string, value: V): void {
    const expiresAt = this.get(key) === undefined ? undefined : this.entries.get(key)?.expiresAt;
    this.entries.set(key, { value, expiresAt });
  }

  /** Like Redis EXPIRE: returns whether the key existed. */
  expire(key: string, ttlSeconds: number): boolean {
    const value = this.get(key);
    if (value === undefined) return false;
    this.set(key, value, ttlSeconds);
    return true;
  }

  delete(key: string): boolean {
    const existed = this.has(key);
    this.entries.delete(key);
    return existed;
  }

  /** Live entries with their absolute expiry (epoch ms, or null), for snapshots. */
  entriesWithExpiry(): Array<[string, V, number | null]> {
    const out: Array<[string, V, number | null]> = [];
    for (const key of [...this.entries.keys()]) {
      const value = this.get(key);
      if (value !== undefined) out.push([key, value, this.entries.get(key)?.expiresAt ?? null]);
    }
    return out;
  }

  /** Puts back an entry read by {@link entriesWithExpiry}. */
  restore(key: string, value: V, expiresAt: number | null): void {
    this.entries.set(key, { value, expiresAt: expiresAt ?? undefined });
  }
}
