import { MetricsRowSchema, RoundRecordSchema, RunConfigSchema, RunRecordSchema } from '@fedssd/protocol';
import { z } from 'zod';
import { ErrorBodySchema, ModelQuerySchema, RoundParamsSchema, RoundRequestedSchema, RunParamsSchema } from './schemas.js';

interface Operation {
  method: 'get' | 'post';
  /** OpenAPI path template, e.g. `/v1/runs/{id}`. */
  path: string;
  summary: string;
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status -> description and optional JSON schema of the body. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const err = (description: string) => ({ description, schema: ErrorBodySchema });
const authErrors = { 401: err('Missing or wrong bearer token (UNAUTHORIZED)'), 429: err('Rate limited (RATE_LIMITED)') };

/** Every route of the api; the OpenAPI document and the docs page are generated from this table. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/v1/runs',
    summary: 'Create a run (publishes run.start; the aggregator sets it up)',
    auth: true,
    body: RunConfigSchema,
    responses: {
      201: { description: 'The run record', schema: RunRecordSchema },
      400: err('Invalid run config (VALIDATION_FAILED names each field and range) or malformed JSON'),
      413: err('Body too large'),
      ...authErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/runs',
    summary: 'List runs',
    auth: true,
    responses: { 200: { description: 'All runs', schema: z.object({ runs: z.array(RunRecordSchema) }) }, ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}',
    summary: 'Read a run',
    auth: true,
    params: RunParamsSchema,
    responses: { 200: { description: 'The run record', schema: RunRecordSchema }, 404: err('Unknown run'), ...authErrors },
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/rounds',
    summary: 'Start the next round (publishes round.start)',
    auth: true,
    params: RunParamsSchema,
    responses: {
      202: { description: 'Round requested', schema: RoundRequestedSchema },
      404: err('Unknown run'),
      409: err('ROUND_IN_PROGRESS, RUN_NOT_ACTIVE or RUN_COMPLETE'),
      ...authErrors,
    },
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/stop',
    summary: 'Stop a run (publishes run.stop; idempotent)',
    auth: true,
    params: RunParamsSchema,
    responses: {
      202: { description: 'The run record, status stopping', schema: RunRecordSchema },
      404: err('Unknown run'),
      409: err('Run already finished or failed'),
      ...authErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/rounds/{round}',
    summary: 'Read one round',
    auth: true,
    params: RoundParamsSchema,
    responses: { 200: { description: 'The round record', schema: RoundRecordSchema }, 404: err('Unknown run or round'), ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/metrics',
    summary: 'Per-round metrics history',
    auth: true,
    params: RunParamsSchema,
    responses: {
      200: { description: 'One row per closed round', schema: z.object({ runId: z.string(), rounds: z.array(MetricsRowSchema) }) },
      404: err('Unknown run'),
      ...authErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/events',
    summary:
      'Server-sent events of the run (round.opened, round.closed, round.evaluated, run.finished, run.failed); heartbeat comments; ends after run.finished or run.failed',
    auth: true,
    params: RunParamsSchema,
    responses: { 200: { description: 'text/event-stream', contentType: 'text/event-stream' }, 404: err('Unknown run'), ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/model',
    summary: 'The global encoder as a TensorFlow.js model.json (latest version unless ?version=N)',
    auth: true,
    params: RunParamsSchema,
    query: ModelQuerySchema,
    responses: {
      200: { description: 'model.json whose weightsManifest points at model/weights.bin' },
      404: err('Unknown run or version'),
      501: err('Model export not available in this build'),
      ...authErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/model/weights.bin',
    summary: 'The weights file of the TensorFlow.js model',
    auth: true,
    params: RunParamsSchema,
    query: ModelQuerySchema,
    responses: {
      200: { description: 'Concatenated float32 weights', contentType: 'application/octet-stream' },
      404: err('Unknown run or version'),
      501: err('Model export not available in this build'),
      ...authErrors,
    },
  },
  { method: 'get', path: '/healthz', summary: 'Liveness', auth: false, responses: { 200: { description: 'Process is up' } } },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: pings the broker and Redis',
    auth: false,
    responses: { 200: { description: 'Ready' }, 503: err('A dependency failed (named in the message)') },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    auth: false,
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    auth: false,
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'Human-readable API docs',
    auth: false,
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  },
];

/** JSON Schema of a zod schema as a client sends it (`io: 'input'`) or as the api returns it. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(op: Operation): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', op.params],
    ['query', op.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document, with request and response schemas derived from the zod schemas. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(op.responses)) {
      const type = response.contentType ?? 'application/json';
      responses[status] = {
        description: response.description,
        ...(response.schema !== undefined || type !== 'application/json'
          ? { content: { [type]: response.schema !== undefined ? { schema: jsonSchema(response.schema, 'output') } : {} } }
          : {}),
      };
    }
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(op.auth ? { security: [{ bearer: [] }] } : { security: [] }),
      parameters: parameters(op),
      ...(op.body !== undefined
        ? { requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'fedssd api',
      version,
      description: 'Start and step federated SSD training runs, follow their events, export the encoder.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
