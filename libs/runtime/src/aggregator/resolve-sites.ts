import type { RunConfig } from '@fedssd/protocol';
import type { SiteDirectory } from '@fedssd/transport';

export type ResolvedSites = { readonly ok: true; readonly sites: string[] } | { readonly ok: false; readonly reason: string };

/**
 * The sites of a federated run, sorted by name (a site's client id is its index, so the same
 * names give the same ids, targets and seeds): the ones the config names, each of which must be
 * enrolled and active, or every active site. The quorum must be reachable.
 */
export async function resolveSites(directory: SiteDirectory, config: RunConfig): Promise<ResolvedSites> {
  let names: string[];
  if (config.sites !== undefined) {
    const records = await Promise.all(config.sites.map((name) => directory.getSite(name).catch(() => null)));
    const unusable = config.sites.filter((_, i) => records[i]?.state !== 'active');
    if (unusable.length > 0) return { ok: false, reason: `sites not enrolled or revoked: ${unusable.join(', ')}` };
    names = [...config.sites];
  } else {
    names = (await directory.listSites()).filter((r) => r.state === 'active').map((r) => r.name);
    if (names.length === 0) return { ok: false, reason: 'no active enrolled site (enrol sites with `fedssd site add`)' };
  }
  names.sort();
  if (config.minClients !== undefined && config.minClients > names.length) {
    return { ok: false, reason: `minClients ${config.minClients} is more than the run's ${names.length} sites` };
  }
  return { ok: true, sites: names };
}
