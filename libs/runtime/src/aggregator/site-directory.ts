import {
  siteLivenessKey,
  siteRecordKey,
  sitesIndexKey,
  SiteRecordSchema,
  type SiteHeartbeat,
  type SiteLiveness,
  type SiteRecord,
} from '@fedssd/protocol';
import type { StateStore } from '@fedssd/transport';

/**
 * What the aggregator knows of enrolled sites: their enrolment records (written by
 * @fedssd/federation's provisioning) and their liveness (written here, from heartbeats and
 * accepted updates). Over the StateStore port, under the deployment's key prefix.
 */
export interface SiteDirectory {
  record(site: string): Promise<SiteRecord | null>;
  /** Active (enrolled, not revoked) sites, by name. */
  active(): Promise<SiteRecord[]>;
  liveness(site: string): Promise<SiteLiveness | null>;
  /** Records a heartbeat; the reported sample count is capped at the enrolment's declared count. */
  heartbeat(site: string, heartbeat: SiteHeartbeat, at: number): Promise<SiteLiveness | null>;
  /** Records an accepted update of the site. */
  updated(site: string, runId: string, round: number, at: number): Promise<void>;
}

export function createSiteDirectory(state: StateStore): SiteDirectory {
  const record = async (site: string): Promise<SiteRecord | null> => {
    const parsed = SiteRecordSchema.safeParse(await state.getJson(siteRecordKey(site)));
    return parsed.success ? parsed.data : null;
  };
  return {
    record,
    async active() {
      const names = await state.listSet(sitesIndexKey());
      const records = await Promise.all(names.map(record));
      return records.filter((r): r is SiteRecord => r !== null && r.state === 'active').sort((a, b) => a.name.localeCompare(b.name));
    },
    liveness: (site) => state.getJson<SiteLiveness>(siteLivenessKey(site)),
    async heartbeat(site, hb, at) {
      const enrolled = await record(site);
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
