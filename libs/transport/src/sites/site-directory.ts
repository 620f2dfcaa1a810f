import {
  siteLivenessKey,
  SiteLivenessSchema,
  siteRecordKey,
  SiteRecordSchema,
  sitesIndexKey,
  type SiteHeartbeat,
  type SiteLiveness,
  type SiteRecord,
} from '@fedssd/protocol';
import type { StateStore } from '../ports.js';

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
 * Enrolled sites over the state store, with the keys of `@fedssd/protocol` (the store adds the
 * deployment prefix): enrolment records written by `@fedssd/federation`'s provisioning, and
 * liveness written by the aggregator from heartbeats and accepted updates. The api reads (GET and
 * SMEMBERS only, what its Redis user may run there); the aggregator also writes liveness.
 * Records that fail their schema are reported (CorruptSiteRecordError), not dropped.
 */
export interface SiteDirectory {
  /** Every enrolment record (pending, active and revoked), by name. */
  listSites(): Promise<SiteRecord[]>;
  getSite(name: string): Promise<SiteRecord | null>;
  /** What the aggregator last wrote from the site's heartbeats; null when it never heard from it. */
  getLiveness(name: string): Promise<SiteLiveness | null>;
  /** Records a heartbeat of an active site (samples capped at its enrolment); null for any other site. */
  heartbeat(site: string, heartbeat: SiteHeartbeat, at: number): Promise<SiteLiveness | null>;
  /** Records an accepted update of the site. */
  updated(site: string, runId: string, round: number, at: number): Promise<void>;
}

export function createSiteDirectory(state: StateStore): SiteDirectory {
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
    async getLiveness(name) {
      const value = await state.getJson(siteLivenessKey(name));
      return value === null ? null : parsed(SiteLivenessSchema, value, `liveness record of site ${name}`);
    },
    async heartbeat(site, hb, at) {
      const enrolled = await getSite(site);
      if (enrolled === null || enrolled.state !== 'active') return null;
      return state.updateJson<SiteLiveness>(siteLivenessKey(site), (current) => ({
        ...(current ?? {}),
        site,
        lastHeartbeatAt: at,
        samples: Math.min(hb.samples, enrolled.declaredSamples),
        backend: hb.backend,
        softwareVersion: hb.softwareVersion,
      }));
    },
    async updated(site, runId, round, at) {
      await state.updateJson<SiteLiveness>(siteLivenessKey(site), (current) =>
        current === null ? undefined : { ...current, lastUpdateAt: at, lastRunId: runId, lastRound: round },
      );
    },
  };
}
