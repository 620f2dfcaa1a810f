import { createFederationAdmin, type FederationAdmin, type FederationAdminConfig } from '@fedssd/federation';
import type { SiteAdmin } from '../ports.js';

/**
 * {@link SiteAdmin} over `@fedssd/federation`. Each call opens its own admin Redis connection
 * and closes it when done: enrolment is rare, and the admin connection (built without
 * reconnects, so an outage fails fast as UNREACHABLE) never sits idle in a long-running process.
 */
export function createFederationSiteAdmin(config: FederationAdminConfig): SiteAdmin {
  const withAdmin = async <T>(action: (admin: FederationAdmin) => Promise<T>): Promise<T> => {
    const admin = await createFederationAdmin(config);
    try {
      return await action(admin);
    } finally {
      await admin.close();
    }
  };
  return {
    provisionSite: (input) => withAdmin((admin) => admin.provisionSite(input)),
    listSites: () => withAdmin((admin) => admin.listSites()),
    revokeSite: (name) => withAdmin((admin) => admin.revokeSite(name)),
  };
}
