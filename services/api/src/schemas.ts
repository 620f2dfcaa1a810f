import { MetricsRowSchema, RunIdSchema, RunRecordSchema } from '@fedssd/protocol';
import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';
import { intParam } from './validation.js';

/**
 * Request and response schemas the routes declare. Fastify validates requests with them
 * (fastify-type-provider-zod), serializes responses through them, and @fastify/swagger derives
 * /openapi.json from them: one declaration per route, nothing kept in step by hand.
 */
export const RunParamsSchema = z.object({ id: RunIdSchema });
export const RoundParamsSchema = z.object({ id: RunIdSchema, round: intParam(1, 10_000) });
export const ModelQuerySchema = z.object({
  version: intParam(0, 10_000).optional().describe('Model version; the latest when absent'),
});

/** An event log entry id (a Redis stream id, `<ms>-<seq>`): `Last-Event-ID` and `?after=`. */
export const EventIdSchema = z
  .string()
  .regex(/^\d{1,20}-\d{1,20}$/, { error: 'must be an event id as sent in the `id:` field, <ms>-<seq> (e.g. 1733380000000-0)' });
export const EventsQuerySchema = z.object({
  after: EventIdSchema.optional().describe('Resume after this event id (as `Last-Event-ID`; the header wins when both are sent)'),
});
export const EventsHeadersSchema = z.looseObject({
  'last-event-id': EventIdSchema.optional().describe('Resume after this event id (browsers send it when they reconnect)'),
});

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
});

/** An error response in the one error shape; `description` names the codes it may carry. */
export const errorResponse = (description: string) => ErrorBodySchema.describe(description);

/**
 * An `onRoute` hook that adds `responses` (and, when given, a `security` requirement) to the
 * schema of every route of the scope it is installed in: answers that a scope-wide hook produces
 * (401 from auth, 429 from the rate limit) are documented where that hook is installed.
 */
export function documentResponses(responses: Record<number, z.ZodType>, security?: Array<Record<string, string[]>>) {
  return (route: RouteOptions): void => {
    const schema = route.schema ?? {};
    route.schema = {
      ...schema,
      ...(security !== undefined ? { security } : {}),
      response: { ...responses, ...(schema.response as object | undefined) },
    };
  };
}

export const RunListSchema = z.object({ runs: z.array(RunRecordSchema) });
export const MetricsHistorySchema = z.object({ runId: z.string(), rounds: z.array(MetricsRowSchema) });

export const RoundRequestedSchema = z.object({
  runId: z.string(),
  /** The round number requested: `currentRound + 1` when the request was accepted. */
  round: z.number().int(),
  status: z.literal('requested'),
});

/** A TensorFlow.js layers-model `model.json` as the api serves it (TF.js fields kept as exported). */
export const ModelJsonSchema = z.looseObject({
  format: z.string(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(
    z.looseObject({
      paths: z.array(z.string()),
      weights: z.array(z.looseObject({ name: z.string(), shape: z.array(z.number().int()), dtype: z.string() })),
    }),
  ),
  fedssd: z.object({ runId: z.string(), version: z.number().int(), weightsUrl: z.string() }),
});

/**
 * A non-JSON response: its media type and a description. Fastify sends such bodies (text, a
 * Buffer, an event stream) as they are; the schema only documents them as a string.
 */
export function rawResponse(description: string, mediaType: string, format?: 'binary') {
  const body = z.custom<string | Buffer>(() => true).meta({ type: 'string', ...(format !== undefined ? { format } : {}) });
  return { description, content: { [mediaType]: { schema: body } } };
}
