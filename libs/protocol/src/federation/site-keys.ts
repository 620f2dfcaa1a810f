import { KEY_NAMESPACE, runKey } from '../keys.js';
import { checkSiteName } from './site-names.js';

/**
 * Redis keys of federated mode. Per-run keys sit under the run's hash tag (`{runId}`, one
 * Cluster slot per run); global models stay at `modelKey(runId, version)`. A site's Redis ACL user may read
 * models and its own target and read/write its own update keys, nothing else: the layout exists
 * so that those three glob patterns (see @fedssd/federation) cover exactly those keys.
 */

function checkRound(round: number): number {
  if (!Number.isInteger(round) || round < 1 || round > 10_000) {
    throw new RangeError(`round must be an integer between 1 and 10000 (got ${String(round)})`);
  }
  return round;
}

/** The DSR target of one site for a run (only that site's own target, written by the aggregator). */
export function siteTargetKey(runId: string, site: string): string {
  return `${runKey(runId)}:site:${checkSiteName(site)}:target`;
}

/** The update blob a site writes for one round of a run (SET NX by the site). */
export function siteUpdateKey(runId: string, site: string, round: number): string {
  return `${runKey(runId)}:site:${checkSiteName(site)}:update:r${checkRound(round)}`;
}

/** Set of every enrolled site name (revoked ones included: a name is never reused). */
export function sitesIndexKey(): string {
  return `${KEY_NAMESPACE}:sites`;
}

/** Enrolment record of one site (JSON, see `SiteRecordSchema`). */
export function siteRecordKey(site: string): string {
  return `${KEY_NAMESPACE}:site:${checkSiteName(site)}`;
}

/** Liveness of one site, written by the aggregator from the site's heartbeats (JSON). */
export function siteLivenessKey(site: string): string {
  return `${KEY_NAMESPACE}:site:${checkSiteName(site)}:liveness`;
}
