import { RunIdSchema } from '@fedssd/protocol';
import { z } from 'zod';
import { intParam } from './validation.js';

/** Request-part schemas shared by the routes (parsing) and the OpenAPI document (description). */
export const RunParamsSchema = z.object({ id: RunIdSchema });
export const RoundParamsSchema = z.object({ id: RunIdSchema, round: intParam(1, 10_000) });
export const ModelQuerySchema = z.object({ version: intParam(0, 10_000).optional() });

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const RoundRequestedSchema = z.object({
  runId: z.string(),
  /** The round number requested; repeating the request before the round opens asks for the same round. */
  round: z.number().int(),
  status: z.literal('requested'),
});
