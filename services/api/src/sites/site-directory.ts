import {
  siteLivenessKey,
  SiteLivenessSchema,
  siteRecordKey,
  SiteRecordSchema,
  sitesIndexKey,
  type SiteLiveness,
  type SiteRecord,
} from '@fedssd/protocol';
import type { StateStore } from '@fedssd/transport';
import type { SiteDirectory } from '../ports.js';

/** A stored site record or liveness record that does not match its schema. */
export class CorruptSiteRecordError extends Error {
  override readonly name = 'CorruptSiteRecordError';
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CorruptSiteRecordError(`${what} is not a valid record`);
  return result.data;
}

/**
 * {@link SiteDirectory} over the state store, with the keys of `@fedssd/protocol` (the same the
 * enrolment's `SiteRegistry` writes and the aggregator's liveness uses; the store adds the
 * deployment prefix). Only GET and SMEMBERS: what the api's Redis ACL user may run there.
 */
export function createSiteDirectory(state: Pick<StateStore, 'getJson' | 'listSet'>): SiteDirectory {
  const getSite = async (name: string): Promise<SiteRecord | null> => {
    const value = await state.getJson(siteRecordKey(name));
    return value === null ? null : parsed(SiteRecordSchema, value, `enrolment record of site ${name}`);
  };
  return {
    getSite,
    async listSites() {
      const names = await state.listSet(sitesIndexKey());
      const records = await Promise.all(names.map(getSite));
      return records.filter((r): r is SiteRecord => r !== null).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async getLiveness(name): Promise<SiteLiveness | null> {
      const value = await state.getJson(siteLivenessKey(name));
      return value === null ? null : parsed(SiteLivenessSchema, value, `liveness record of site ${name}`);
    },
  };
}
