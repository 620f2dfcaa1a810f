import { metricsKey } from '@fedssd/protocol';
import type { SetJsonOptions, StateStore } from '../ports.js';
import { checkTtl, toJson } from '../checks.js';
import { ExpiringMap } from './expiring-map.js';

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

  async appendMetrics(runId: string, row: unknown): Promise<void> {
    const key = metricsKey(runId);
    const list = this.lists.get(key) ?? [];
    list.push(toJson(row));
    this.lists.set(key, list);
  }

  async listMetrics<T = unknown>(runId: string): Promise<T[]> {
    return (this.lists.get(metricsKey(runId)) ?? []).map((text) => JSON.parse(text) as T);
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
}
