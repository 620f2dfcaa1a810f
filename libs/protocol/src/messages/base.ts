import { z } from 'zod';
import { identifier, intBetween, shown } from '../fields.js';

/** Version of every message contract in this package; bump on a breaking change. */
export const MESSAGE_VERSION = 1;

/** Run ids appear inside Redis keys and queue names, so they use a safe alphabet. */
export const RunIdSchema = identifier(64);
/** Round numbers start at 1. */
export const RoundSchema = intBetween(1, 10_000);
/** Client ids are 0-based, below the run's `clients` (max 1000). */
export const ClientIdSchema = intBetween(0, 999);
/** Global model versions: 0 is the initial model, round r produces version r. */
export const VersionSchema = intBetween(0, 10_000);
/** Epoch milliseconds (wall clock). */
export const EpochMsSchema = intBetween(0, Number.MAX_SAFE_INTEGER);
/** A non-negative count. */
export const CountSchema = intBetween(0, Number.MAX_SAFE_INTEGER);
/** A Redis key as carried in messages. */
export const KeySchema = z
  .string({ error: (iss) => `must be a key string of 1-512 characters (got ${shown(iss.input)})` })
  .min(1, { error: 'must be a key string of 1-512 characters (got "")' })
  .max(512, { error: 'must be a key string of 1-512 characters' });

/** Fields every message carries: a `type` discriminator, the contract `version`, the run, and when it was sent. */
export function envelope<const T extends string>(type: T) {
  return {
    type: z.literal(type),
    version: z.literal(MESSAGE_VERSION, {
      error: (iss) => `must be ${MESSAGE_VERSION} (got ${shown(iss.input)})`,
    }),
    runId: RunIdSchema,
    /** Epoch milliseconds when the message was created; informational only. */
    sentAt: EpochMsSchema.optional(),
  };
}
