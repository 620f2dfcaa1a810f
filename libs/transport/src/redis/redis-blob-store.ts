import { fenceKey } from '@fedssd/protocol';
import type { Redis } from 'ioredis';
import { checkFenced, checkTtl } from '../checks.js';
import { FencedWriteError } from '../errors.js';
import type { BlobStore, PutBlobOptions } from '../ports.js';
import { FENCED_SET_SCRIPT } from './ownership-scripts.js';

/** {@link BlobStore} on Redis strings holding raw bytes (no base64: Buffer in, Buffer out). */
export class RedisBlobStore implements BlobStore {
  /** `prefix` is prepended to every key (tests use a unique one). */
  constructor(
    private readonly redis: Redis,
    private readonly prefix = '',
  ) {}

  async putBlob(key: string, bytes: Uint8Array, opts: PutBlobOptions = {}): Promise<boolean> {
    checkTtl(opts.ttlSeconds);
    const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const k = this.prefix + key;
    if (opts.fence !== undefined) {
      checkFenced(opts);
      const reply = await this.redis.eval(FENCED_SET_SCRIPT, 2, k, this.prefix + fenceKey(opts.fence.runId), value, opts.fence.token);
      if (reply === -2) throw new FencedWriteError(opts.fence.runId, opts.fence.token, `writing ${key}`);
      return true;
    }
    // SET ... NX returns null when the key exists: a redelivered job cannot replace an update.
    let reply: string | null;
    if (opts.nx === true && opts.ttlSeconds !== undefined) reply = await this.redis.set(k, value, 'EX', opts.ttlSeconds, 'NX');
    else if (opts.nx === true) reply = await this.redis.set(k, value, 'NX');
    else if (opts.ttlSeconds !== undefined) reply = await this.redis.set(k, value, 'EX', opts.ttlSeconds);
    else reply = await this.redis.set(k, value);
    return reply === 'OK';
  }

  async getBlob(key: string): Promise<Uint8Array | null> {
    const buffer = await this.redis.getBuffer(this.prefix + key);
    return buffer === null ? null : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    checkTtl(ttlSeconds);
    return (await this.redis.expire(this.prefix + key, ttlSeconds)) === 1;
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.redis.del(...keys.map((key) => this.prefix + key));
  }
}
