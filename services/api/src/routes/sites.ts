import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';
import type { SiteDirectory } from '../ports.js';
import { errorResponse } from '../schemas.js';
import { CorruptSiteRecordError } from '@fedssd/transport';
import { SiteListSchema, siteStatus } from '../sites/site-status.js';

export interface SiteRoutesDeps {
  /** Undefined when the app was built without a registry (some tests): the route answers 503. */
  sites: SiteDirectory | undefined;
  /** A site is live when its last heartbeat is at most this old, in milliseconds. */
  livenessWindowMs: number;
  now: () => Date;
}

/** `GET /v1/sites`: every enrolled site with its liveness, as the api token's holders may see it. */
export function siteRoutes(deps: SiteRoutesDeps) {
  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/sites',
      {
        schema: {
          summary: 'List the enrolled sites with their liveness, reported samples, backend and last update',
          description:
            'Read from the site registry and the liveness the aggregator writes from each site heartbeat. No credentials: those exist only in the enrolment answer.',
          response: {
            200: SiteListSchema.describe('Every enrolled site (pending, active, revoked), by name'),
            503: errorResponse('The site registry cannot be read (UNAVAILABLE)'),
          },
        },
      },
      async (request) => {
        const directory = deps.sites;
        if (directory === undefined) throw new ApiError('UNAVAILABLE', 'the site registry is not available on this api');
        const records = await directory.listSites();
        const nowMs = deps.now().getTime();
        const sites = await Promise.all(
          records.map(async (record) => {
            // One unreadable liveness record must not hide every site: show that one as never heard from.
            const liveness = await directory.getLiveness(record.name).catch((error: unknown) => {
              if (!(error instanceof CorruptSiteRecordError)) throw error;
              request.log.warn({ site: record.name, err: error }, 'unreadable site liveness record');
              return null;
            });
            return siteStatus(record, liveness, nowMs, deps.livenessWindowMs);
          }),
        );
        return { livenessWindowMs: deps.livenessWindowMs, sites };
      },
    );
  };
}
