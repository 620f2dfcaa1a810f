import { MAX_DECLARED_SAMPLES, SITE_NAME_PATTERN, SiteRecordSchema } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import type { SiteAdmin } from '../ports.js';
import { errorResponse } from '../schemas.js';
import { adminFailure } from '../sites/admin-errors.js';

export interface AdminSiteRoutesDeps {
  /** The enrolment backend, or why there is none (answered as 503 ADMIN_DISABLED). */
  admin: SiteAdmin | { unavailable: string };
}

const shown = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));

const SiteNameSchema = z
  .string({
    error: (iss) => `must be a site name: 1-32 characters of [a-z0-9-], starting with a letter or digit (got ${shown(iss.input)})`,
  })
  .regex(SITE_NAME_PATTERN, {
    error: (iss) => `must be a site name: 1-32 characters of [a-z0-9-], starting with a letter or digit (got ${shown(iss.input)})`,
  });

const samplesMessage = (iss: { input?: unknown }) => `must be an integer between 1 and ${MAX_DECLARED_SAMPLES} (got ${shown(iss.input)})`;

export const EnrolSiteBodySchema = z.strictObject({
  name: SiteNameSchema.describe('Site name, never reused (not even after revocation)'),
  declaredSamples: z
    .number({ error: samplesMessage })
    .int({ error: samplesMessage })
    .min(1, { error: samplesMessage })
    .max(MAX_DECLARED_SAMPLES, { error: samplesMessage })
    .describe('Most samples the site may report per update (caps its FedAvg weight)'),
});

const SiteNameParamsSchema = z.object({ name: SiteNameSchema });

const EnrolledSiteSchema = z.object({
  site: SiteRecordSchema,
  bundle: z
    .object({
      envFile: z.string().describe('KEY=value lines for a site trainer process (mode 0600 when saved)'),
      secretYaml: z.string().describe('A v1/Secret manifest named fedssd-site for k8s/overlays/site'),
    })
    .describe('The credentials, shown this once: the server keeps no copy'),
});

const RevokedSiteSchema = z.object({
  site: SiteRecordSchema,
  rabbitConnectionsClosed: z
    .number()
    .int()
    .describe('Broker connections closed through the management API (RabbitMQ closes the rest itself)'),
  redisConnectionsKilled: z.number().int(),
});

/**
 * `/v1/admin/sites`: enrol, list and revoke sites with the api's admin credentials
 * (`@fedssd/federation`). Registered in their own scope behind the admin token.
 */
export function adminSiteRoutes(deps: AdminSiteRoutesDeps) {
  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const admin = deps.admin;
    // After the token check (hooks run in order): an admin learns what is missing, nobody else does.
    app.addHook('onRequest', async () => {
      if ('unavailable' in admin) throw new ApiError('ADMIN_DISABLED', admin.unavailable);
    });
    const run = async <T>(action: (a: SiteAdmin) => Promise<T>): Promise<T> => {
      try {
        return await action(admin as SiteAdmin);
      } catch (error) {
        throw adminFailure(error);
      }
    };

    app.post(
      '/sites',
      {
        schema: {
          summary: 'Enrol a site: create its RabbitMQ and Redis users, permissions and job queue; returns its credentials once',
          body: EnrolSiteBodySchema,
          response: {
            201: EnrolledSiteSchema.describe('The enrolment record and the credentials bundle (Cache-Control: no-store)'),
            400: errorResponse('Bad name or declaredSamples (VALIDATION_FAILED names the field and range) or malformed JSON'),
            409: errorResponse(
              'The name is taken, also by a revoked site (SITE_EXISTS), or its users exist outside this deployment (SITE_CONFLICT)',
            ),
            503: errorResponse('Enrolment not configured (ADMIN_DISABLED), or RabbitMQ / Redis refused or did not answer (UNAVAILABLE)'),
          },
        },
      },
      async (request, reply) => {
        const { record, bundle } = await run((a) => a.provisionSite(request.body));
        request.log.info({ site: record.name, declaredSamples: record.declaredSamples }, 'site enrolled');
        // The only answer that carries passwords: no cache may keep it.
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .header('location', `/v1/admin/sites/${record.name}`)
          .send({ site: record, bundle: { envFile: bundle.envFile, secretYaml: bundle.secretYaml } });
      },
    );

    app.get(
      '/sites',
      {
        schema: {
          summary: 'List every enrolment record (pending, active, revoked) with its broker/Redis user and times',
          response: {
            200: z.object({ sites: z.array(SiteRecordSchema) }).describe('Enrolment records by name'),
            503: errorResponse('Enrolment not configured (ADMIN_DISABLED), or Redis did not answer (UNAVAILABLE)'),
          },
        },
      },
      async () => ({ sites: await run((a) => a.listSites()) }),
    );

    app.delete(
      '/sites/:name',
      {
        schema: {
          summary: 'Revoke a site: delete its users (closing its live connections) and its job queue; the name stays taken',
          params: SiteNameParamsSchema,
          response: {
            200: RevokedSiteSchema.describe('The revoked record (revoking again is harmless and answers the same record)'),
            400: errorResponse('Bad site name (VALIDATION_FAILED)'),
            404: errorResponse('No site of that name was ever enrolled (NOT_FOUND)'),
            503: errorResponse('Enrolment not configured (ADMIN_DISABLED), or RabbitMQ / Redis refused or did not answer (UNAVAILABLE)'),
          },
        },
      },
      async (request) => {
        const result = await run((a) => a.revokeSite(request.params.name));
        request.log.info(
          {
            site: result.record.name,
            rabbitConnectionsClosed: result.rabbitConnectionsClosed,
            redisConnectionsKilled: result.redisConnectionsKilled,
          },
          'site revoked',
        );
        return {
          site: result.record,
          rabbitConnectionsClosed: result.rabbitConnectionsClosed,
          redisConnectionsKilled: result.redisConnectionsKilled,
        };
      },
    );
  };
}
