import type { RunConfig } from '@fedssd/protocol';
import { ApiError } from '../errors.js';
import type { SiteDirectory } from '../ports.js';

/**
 * Refuses a federated run whose sites cannot take part, before the run exists: each named site
 * must be enrolled and active (unknown, revoked and still-pending ones are listed, each group by
 * name); without `sites` at least one site must be active. The aggregator checks again when it
 * starts the run (a site may be revoked in between); this check is for a clear 400 up front.
 * Simulation runs are not looked at.
 */
export async function checkFederatedRunSites(config: RunConfig, directory: SiteDirectory | undefined): Promise<void> {
  if (config.mode !== 'federated') return;
  if (directory === undefined) throw new ApiError('UNAVAILABLE', 'the site registry is not available on this api; cannot check body.sites');
  if (config.sites === undefined) {
    const active = (await directory.listSites()).filter((s) => s.state === 'active');
    if (active.length === 0) {
      throw new ApiError(
        'VALIDATION_FAILED',
        'body.sites: no site is enrolled and active, so a federated run has no one to train; enrol one (POST /v1/admin/sites or fedssd site add)',
      );
    }
    return;
  }
  const records = await Promise.all(config.sites.map(async (name) => ({ name, record: await directory.getSite(name) })));
  const unknown = records.filter((r) => r.record === null).map((r) => r.name);
  const revoked = records.filter((r) => r.record?.state === 'revoked').map((r) => r.name);
  const pending = records.filter((r) => r.record?.state === 'pending').map((r) => r.name);
  const problems = [
    ...(unknown.length > 0 ? [`not enrolled: ${unknown.join(', ')}`] : []),
    ...(revoked.length > 0 ? [`revoked: ${revoked.join(', ')}`] : []),
    ...(pending.length > 0 ? [`enrolment not finished (pending): ${pending.join(', ')}`] : []),
  ];
  if (problems.length > 0) {
    throw new ApiError(
      'VALIDATION_FAILED',
      `body.sites: every site must be enrolled and active; ${problems.join('; ')} (GET /v1/sites lists them)`,
    );
  }
}
