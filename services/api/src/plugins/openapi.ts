import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Where the interactive docs live; their own routes (page, assets) are hidden from the document. */
export const DOCS_PREFIX = '/docs';

/**
 * Registers @fastify/swagger, which collects every route registered after it and builds the
 * OpenAPI 3.1 document from the zod schemas the routes declare (fastify-type-provider-zod's
 * `jsonSchemaTransform` turns them into JSON Schema), and must therefore run before any route.
 * The two bearer schemes (api and admin token) are declared here; routes say which they use (see `requireBearer`).
 */
export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'fedssd api',
        version,
        description: 'Start and step federated SSD training runs, follow their events, export the encoder.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The API_TOKEN the api was started with' },
          adminBearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'The FEDSSD_ADMIN_TOKEN the api was started with (the /v1/admin routes only; the API token is refused there)',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
}

/**
 * `/openapi.json` (the generated document) and the Swagger UI at `/docs`, served from the
 * @fastify/swagger-ui package's own files (no CDN), so the page works offline and under a CSP
 * that allows scripts from this origin only.
 */
export function openApiRoutes() {
  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/openapi.json',
      {
        schema: {
          summary: 'This OpenAPI 3.1 document',
          security: [],
          response: {
            200: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }).describe('OpenAPI 3.1 document'),
          },
        },
      },
      async () => app.swagger() as unknown as { openapi: string; paths: Record<string, unknown> },
    );
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      theme: { title: 'fedssd api' },
      uiConfig: { deepLinking: true, persistAuthorization: false },
    });
  };
}
