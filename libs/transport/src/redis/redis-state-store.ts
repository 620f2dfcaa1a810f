import { eventsKey, fenceKey, metricsKey } from '@fedssd/protocol';
import type { Redis } from 'ioredis';
import { checkFenced, checkTtl, toJson } from '../checks.js';
import { EVENT_DEDUPE_WINDOW } from '../event-ids.js';
import { FencedWriteError } from '../errors.js';
import type { AppendEventOptions, Fence, GuardedKey, JsonWrite, SetJsonOptions, StateStore, StoredEvent } from '../ports.js';
import { FENCED_SET_SCRIPT } from './ownership-scripts.js';

/**
 * Compare-and-set on the raw stored text: write ARGV[2] only if the key still holds ARGV[1]
 * (ARGV[3] = '1' means "only if the key is absent"). Comparing the exact text read avoids any
 * doubt about re-serialising the old value.
 */
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if ARGV[3] == '1' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

/**
 * commitGuarded: KEYS[1] is the guard, KEYS[2..W+1] the writes (values ARGV[4..W+3]), then the
 * metrics list when ARGV[2] = '1' (row: the last ARGV), then the fence key when ARGV[3] is a
 * token (not '-'). ARGV[1] is the expected seq (-1: absent). Returns 1 written, 0 stale seq, -1
 * guard not JSON, -2 fenced. Decoding the guard with cjson is cheap next to the round trips it
 * saves, and the whole step is one script: Redis runs it atomically.
 */
const COMMIT_SCRIPT = `
local fenced = ARGV[3] ~= '-'
if fenced and redis.call('GET', KEYS[#KEYS]) ~= ARGV[3] then return -2 end
local want = tonumber(ARGV[1])
local current = redis.call('GET', KEYS[1])
if current then
  local ok, value = pcall(cjson.decode, current)
  if not ok or type(value) ~= 'table' then return -1 end
  local seq = value['seq']
  if type(seq) ~= 'number' then seq = 0 end
  if seq ~= want then return 0 end
elseif want ~= -1 then
  return 0
end
local writes = #KEYS - 1
if fenced then writes = writes - 1 end
if ARGV[2] == '1' then writes = writes - 1 end
for i = 1, writes do redis.call('SET', KEYS[i + 1], ARGV[i + 3]) end
if ARGV[2] == '1' then redis.call('RPUSH', KEYS[writes + 2], ARGV[#ARGV]) end
return 1`;

/**
 * appendEvent: KEYS[1] the run's event stream, KEYS[2] its fence key when ARGV[4] is a token (not
 * '-'). ARGV: identity, event JSON, max length, token, dedupe window. Returns the new entry id, nil
 * when one of the newest entries already carries the identity (a redone effect), -2 when fenced.
 * One script, so the check and the XADD cannot interleave with another writer.
 */
const APPEND_EVENT_SCRIPT = `
if ARGV[4] ~= '-' and redis.call('GET', KEYS[2]) ~= ARGV[4] then return -2 end
local recent = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', tonumber(ARGV[5]))
for _, entry in ipairs(recent) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'k' and fields[i + 1] == ARGV[1] then return false end
  end
end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'k', ARGV[1], 'm', ARGV[2])`;

/** Retries of {@link RedisStateStore.updateJson} under contention before giving up. */
const MAX_CAS_ATTEMPTS = 100;

/** {@link StateStore} on Redis: JSON strings, a list per run for metrics, sets for indexes. */
export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = '',
  ) {}

  async getJson<T = unknown>(key: string): Promise<T | null> {
    const text = await this.redis.get(this.prefix + key);
    return text === null ? null : (JSON.parse(text) as T);
  }

  async setJson(key: string, value: unknown, opts: SetJsonOptions = {}): Promise<boolean> {
    checkTtl(opts.ttlSeconds);
    const k = this.prefix + key;
    const text = toJson(value);
    if (opts.fence !== undefined) {
      checkFenced(opts);
      const reply = await this.redis.eval(FENCED_SET_SCRIPT, 2, k, this.prefix + fenceKey(opts.fence.runId), text, opts.fence.token);
      if (reply === -2) throw new FencedWriteError(opts.fence.runId, opts.fence.token, `writing ${key}`);
      return true;
    }
    let reply: string | null;
    if (opts.nx === true && opts.ttlSeconds !== undefined) reply = await this.redis.set(k, text, 'EX', opts.ttlSeconds, 'NX');
    else if (opts.nx === true) reply = await this.redis.set(k, text, 'NX');
    else if (opts.ttlSeconds !== undefined) reply = await this.redis.set(k, text, 'EX', opts.ttlSeconds);
    else reply = await this.redis.set(k, text);
    return reply === 'OK';
  }

  async updateJson<T>(key: string, fn: (current: T | null) => T | undefined): Promise<T | null> {
    const k = this.prefix + key;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const text = await this.redis.get(k);
      const current = text === null ? null : (JSON.parse(text) as T);
      const next = fn(current);
      if (next === undefined) return current;
      const nextText = toJson(next);
      const written = await this.redis.eval(CAS_SCRIPT, 1, k, text ?? '', nextText, text === null ? '1' : '0');
      if (written === 1) return JSON.parse(nextText) as T;
    }
    throw new Error(`updateJson(${key}): gave up after ${MAX_CAS_ATTEMPTS} conflicting writes`);
  }

  async commitGuarded(
    guard: GuardedKey,
    writes: readonly JsonWrite[],
    append?: { runId: string; row: unknown },
    fence?: Fence,
  ): Promise<boolean> {
    const keys = [guard.key, ...writes.map((w) => w.key)].map((k) => this.prefix + k);
    const args = [String(guard.seq), append === undefined ? '0' : '1', fence === undefined ? '-' : String(fence.token)];
    args.push(...writes.map((w) => toJson(w.value)));
    if (append !== undefined) {
      keys.push(this.prefix + metricsKey(append.runId));
      args.push(toJson(append.row));
    }
    if (fence !== undefined) keys.push(this.prefix + fenceKey(fence.runId));
    const reply = await this.redis.eval(COMMIT_SCRIPT, keys.length, ...keys, ...args);
    if (reply === -1) throw new Error(`commitGuarded: ${guard.key} does not hold a JSON object`);
    if (reply === -2 && fence !== undefined) throw new FencedWriteError(fence.runId, fence.token, `committing ${guard.key}`);
    return reply === 1;
  }

  async appendMetrics(runId: string, row: unknown): Promise<void> {
    await this.redis.rpush(this.prefix + metricsKey(runId), toJson(row));
  }

  async listMetrics<T = unknown>(runId: string): Promise<T[]> {
    const rows = await this.redis.lrange(this.prefix + metricsKey(runId), 0, -1);
    return rows.map((text) => JSON.parse(text) as T);
  }

  async appendEvent(runId: string, identity: string, text: string, opts: AppendEventOptions): Promise<string | null> {
    checkMaxLen(opts.maxLen);
    const keys = [this.prefix + eventsKey(runId)];
    if (opts.fence !== undefined) keys.push(this.prefix + fenceKey(opts.fence.runId));
    const token = opts.fence === undefined ? '-' : String(opts.fence.token);
    const reply = await this.redis.eval(APPEND_EVENT_SCRIPT, keys.length, ...keys, identity, text, opts.maxLen, token, EVENT_DEDUPE_WINDOW);
    if (reply === -2 && opts.fence !== undefined)
      throw new FencedWriteError(opts.fence.runId, opts.fence.token, `appending event ${identity}`);
    return typeof reply === 'string' ? reply : null;
  }

  async readEvents(runId: string, after: string | undefined, count: number): Promise<StoredEvent[]> {
    // '(' makes the start exclusive (Redis >= 6.2): the entry the client already has is not sent again.
    const start = after === undefined ? '-' : `(${after}`;
    const entries = await this.redis.xrange(this.prefix + eventsKey(runId), start, '+', 'COUNT', count);
    return entries.map(([id, fields]) => ({ id, text: fieldOf(fields, 'm') }));
  }

  async addToSet(key: string, member: string): Promise<boolean> {
    return (await this.redis.sadd(this.prefix + key, member)) === 1;
  }

  async listSet(key: string): Promise<string[]> {
    return (await this.redis.smembers(this.prefix + key)).sort();
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.redis.del(...keys.map((key) => this.prefix + key));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}

function checkMaxLen(maxLen: number): void {
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`maxLen must be a positive integer (got ${String(maxLen)})`);
}

/** A field of a stream entry (flat [name, value, ...] list); '' when absent. */
function fieldOf(fields: string[], name: string): string {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1] ?? '';
  return '';
}
