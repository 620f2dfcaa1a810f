import { siteRecordKey, sitesIndexKey, SiteRecordSchema, type SiteRecord } from '@fedssd/protocol';
import type { Redis } from 'ioredis';
import { FederationError } from '../errors.js';

/**
 * Enrolment records in Redis: the set `fedssd:sites` of every name ever enrolled and one JSON
 * record per site (`fedssd:site:NAME`), under the deployment's key prefix.
 */
export class SiteRegistry {
  constructor(
    private readonly redis: Redis,
    /** Redis key prefix of the deployment (`P:` or ''). */
    private readonly keyPrefix: string,
  ) {}

  async get(name: string): Promise<SiteRecord | null> {
    const text = await this.redis.get(this.keyPrefix + siteRecordKey(name));
    if (text === null) return null;
    const parsed = SiteRecordSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new FederationError('CONFLICT', `enrolment record of site ${name} is not a valid site record`);
    return parsed.data;
  }

  /** Writes the record only if no record of that name exists (SET NX); returns whether it did. */
  async claim(record: SiteRecord): Promise<boolean> {
    const written = await this.redis.set(this.keyPrefix + siteRecordKey(record.name), JSON.stringify(record), 'NX');
    if (written === 'OK') await this.redis.sadd(this.keyPrefix + sitesIndexKey(), record.name);
    return written === 'OK';
  }

  async put(record: SiteRecord): Promise<void> {
    await this.redis.set(this.keyPrefix + siteRecordKey(record.name), JSON.stringify(SiteRecordSchema.parse(record)));
    await this.redis.sadd(this.keyPrefix + sitesIndexKey(), record.name);
  }

  /** Removes a record this process claimed but could not complete (a name is only burned once handed out). */
  async release(name: string): Promise<void> {
    await this.redis.del(this.keyPrefix + siteRecordKey(name));
    await this.redis.srem(this.keyPrefix + sitesIndexKey(), name);
  }

  /** Every enrolment record, by name. */
  async list(): Promise<SiteRecord[]> {
    const names = (await this.redis.smembers(this.keyPrefix + sitesIndexKey())).sort();
    const records = await Promise.all(names.map((name) => this.get(name)));
    return records.filter((r): r is SiteRecord => r !== null);
  }
}
