import { eventsKey, fenceKey, metricsKey } from '@fedssd/protocol';
import type { AppendEventOptions, Fence, GuardedKey, JsonWrite, SetJsonOptions, StateStore, StoredEvent } from '../ports.js';
import { compareEventIds, EVENT_DEDUPE_WINDOW } from '../event-ids.js';
import { checkFenced, checkTtl, toJson } from '../checks.js';
import { FencedWriteError } from '../errors.js';
import { ExpiringMap } from './expiring-map.js';

/** The contents of an {@link InMemoryStateStore}: JSON texts with expiry, lists, sets. */
export interface StateSnapshot {
  readonly values: Array<[string, string, number | null]>;
  readonly lists: Array<[string, string[]]>;
  readonly sets: Array<[string, string[]]>;
}

/**
 * In-memory {@link StateStore}. Values are kept as JSON text, so callers get fresh copies and
 * anything that would not survive Redis (functions, NaN, undefined) behaves the same here.
 */
export class InMemoryStateStore implements StateStore {
  private readonly values: ExpiringMap<string>;
  private readonly lists = new Map<string, string[]>();
  private readonly sets = new Map<string, Set<string>>();

  constructor(now?: () => number) {
    this.values = new ExpiringMap(now);
  }

  async getJson<T = unknown>(key: string): Promise<T | null> {
    const text = this.values.get(key);
    return text === undefined ? null : (JSON.parse(text) as T);
  }

  async setJson(key: string, value: unknown, opts: SetJsonOptions = {}): Promise<boolean> {
    checkTtl(opts.ttlSeconds);
    checkFenced(opts);
    if (opts.fence !== undefined) this.checkFence(opts.fence, `writing ${key}`);
    if (opts.nx === true && this.values.has(key)) return false;
    this.values.set(key, toJson(value), opts.ttlSeconds);
    return true;
  }

  async updateJson<T>(key: string, fn: (current: T | null) => T | undefined): Promise<T | null> {
    // Single-threaded and synchronous between read and write, so trivially atomic.
    const text = this.values.get(key);
    const current = text === undefined ? null : (JSON.parse(text) as T);
    const next = fn(current);
    if (next === undefined) return current;
    const nextText = toJson(next);
    this.values.replace(key, nextText);
    return JSON.parse(nextText) as T;
  }

  async commitGuarded(
    guard: GuardedKey,
    writes: readonly JsonWrite[],
    append?: { runId: string; row: unknown },
    fence?: Fence,
  ): Promise<boolean> {
    // Serialise everything first so a value that is not JSON fails before anything is written.
    const texts = writes.map((w) => [w.key, toJson(w.value)] as const);
    const rowText = append === undefined ? undefined : toJson(append.row);
    if (fence !== undefined) this.checkFence(fence, `committing ${guard.key}`);
    const text = this.values.get(guard.key);
    if (text === undefined ? guard.seq !== -1 : seqOf(text) !== guard.seq) return false;
    for (const [key, value] of texts) this.values.set(key, value);
    if (append !== undefined && rowText !== undefined) this.pushRow(append.runId, rowText);
    return true;
  }

  /** The run's fencing counter (undefined before the first lease), as the ownership fake and blob fake read it. */
  fenceToken(runId: string): number | undefined {
    const text = this.values.get(fenceKey(runId));
    return text === undefined ? undefined : Number(text);
  }

  /** Sets the run's fencing counter (the ownership fake's INCR). */
  setFenceToken(runId: string, token: number): void {
    this.values.set(fenceKey(runId), String(token));
  }

  private checkFence(fence: Fence, what: string): void {
    if (this.fenceToken(fence.runId) !== fence.token) throw new FencedWriteError(fence.runId, fence.token, what);
  }

  private pushRow(runId: string, text: string): void {
    const key = metricsKey(runId);
    const list = this.lists.get(key) ?? [];
    list.push(text);
    this.lists.set(key, list);
  }

  async appendMetrics(runId: string, row: unknown): Promise<void> {
    this.pushRow(runId, toJson(row));
  }

  async listMetrics<T = unknown>(runId: string): Promise<T[]> {
    return (this.lists.get(metricsKey(runId)) ?? []).map((text) => JSON.parse(text) as T);
  }

  async appendEvent(runId: string, identity: string, text: string, opts: AppendEventOptions): Promise<string | null> {
    if (!Number.isInteger(opts.maxLen) || opts.maxLen < 1)
      throw new RangeError(`maxLen must be a positive integer (got ${String(opts.maxLen)})`);
    if (opts.fence !== undefined) this.checkFence(opts.fence, `appending event ${identity}`);
    // Entries live in a list (so snapshots carry them) as JSON { id, k, m }; ids count up from 1-0.
    const key = eventsKey(runId);
    const list = this.lists.get(key) ?? [];
    const entries = list.map((row) => JSON.parse(row) as { id: string; k: string; m: string });
    if (entries.slice(-EVENT_DEDUPE_WINDOW).some((e) => e.k === identity)) return null;
    const last = entries.at(-1);
    const id = `${last === undefined ? 1 : Number(last.id.split('-')[0]) + 1}-0`;
    list.push(JSON.stringify({ id, k: identity, m: text }));
    if (list.length > opts.maxLen) list.splice(0, list.length - opts.maxLen);
    this.lists.set(key, list);
    return id;
  }

  async readEvents(runId: string, after: string | undefined, count: number): Promise<StoredEvent[]> {
    const entries = (this.lists.get(eventsKey(runId)) ?? []).map((row) => JSON.parse(row) as { id: string; m: string });
    return entries
      .filter((e) => after === undefined || compareEventIds(e.id, after) > 0)
      .slice(0, count)
      .map((e) => ({ id: e.id, text: e.m }));
  }

  async addToSet(key: string, member: string): Promise<boolean> {
    const set = this.sets.get(key) ?? new Set<string>();
    this.sets.set(key, set);
    if (set.has(member)) return false;
    set.add(member);
    return true;
  }

  async listSet(key: string): Promise<string[]> {
    return [...(this.sets.get(key) ?? [])].sort();
  }

  async delete(keys: readonly string[]): Promise<number> {
    let count = 0;
    for (const key of keys) {
      const existed = this.values.delete(key) || this.lists.delete(key) || this.sets.delete(key);
      if (existed) count++;
    }
    return count;
  }

  async ping(): Promise<void> {}

  /** Everything stored, as plain JSON-able data (the simulator's checkpoints). */
  snapshot(): StateSnapshot {
    return {
      values: this.values.entriesWithExpiry(),
      lists: [...this.lists].map(([key, rows]) => [key, [...rows]]),
      sets: [...this.sets].map(([key, members]) => [key, [...members]]),
    };
  }

  /** Replaces everything with a {@link snapshot}. */
  restore(snapshot: StateSnapshot): void {
    this.lists.clear();
    this.sets.clear();
    for (const [key] of this.values.entriesWithExpiry()) this.values.delete(key);
    for (const [key, text, expiresAt] of snapshot.values) this.values.restore(key, text, expiresAt);
    for (const [key, rows] of snapshot.lists) this.lists.set(key, [...rows]);
    for (const [key, members] of snapshot.sets) this.sets.set(key, new Set(members));
  }
}

/** The `seq` field of a stored JSON object (0 when absent or not an object). */
function seqOf(text: string): number {
  const value = JSON.parse(text) as { seq?: unknown } | null;
  return typeof value === 'object' && value !== null && typeof value.seq === 'number' ? value.seq : 0;
}
