import { z } from 'zod';
import { formatZodError } from '../format-zod-error.js';
import { shown, text } from '../fields.js';
import { CountSchema, EpochMsSchema, MESSAGE_VERSION } from '../messages/base.js';
import { MAX_MESSAGE_BYTES } from '../messages/codec.js';
import { UpdateReadySchema } from '../messages/jobs.js';

/**
 * site -> aggregator, on the site-updates exchange with the site's routing key: the site is up.
 * Carries no site name: the aggregator takes the site from the broker-validated `user_id`.
 */
export const SiteHeartbeatSchema = z.object({
  type: z.literal('site.heartbeat'),
  version: z.literal(MESSAGE_VERSION, { error: (iss) => `must be ${MESSAGE_VERSION} (got ${shown(iss.input)})` }),
  /** Samples the site says it holds (the aggregator caps it at the enrolment's declared count). */
  samples: CountSchema,
  /** TF.js backend the site's trainer selected, e.g. `wasm` or `tensorflow`. */
  backend: text(64),
  /** Version of the site's fedssd software. */
  softwareVersion: text(64),
  /** Epoch milliseconds when the site sent it. */
  sentAt: EpochMsSchema,
});
export type SiteHeartbeat = z.infer<typeof SiteHeartbeatSchema>;

/** Everything a site may publish: its update notices and heartbeats. */
export const SiteMessageSchema = z.discriminatedUnion('type', [UpdateReadySchema, SiteHeartbeatSchema]);
export type SiteMessage = z.infer<typeof SiteMessageSchema>;
export type SiteMessageInput = z.input<typeof SiteMessageSchema>;

const SITE_MESSAGE_TYPES = ['update.ready', 'site.heartbeat'] as const;
const decoder = new TextDecoder('utf-8', { fatal: true });

export type SiteParseResult = { ok: true; message: SiteMessage } | { ok: false; reason: string };

/** Decodes and validates one site message (UTF-8 JSON). Never throws; failures carry a reason for the dead-letter log. */
export function parseSiteMessage(input: Uint8Array): SiteParseResult {
  if (input.byteLength > MAX_MESSAGE_BYTES) return { ok: false, reason: `message larger than ${MAX_MESSAGE_BYTES} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(input));
  } catch {
    return { ok: false, reason: 'message is not valid UTF-8 JSON' };
  }
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !(SITE_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { ok: false, reason: `type: must be one of ${SITE_MESSAGE_TYPES.join(', ')} (got ${shown(type)})` };
  }
  const parsed = SiteMessageSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `${type}: ${formatZodError(parsed.error).join('; ')}` };
  return { ok: true, message: parsed.data };
}

/** Validates and encodes a site message; throws naming each bad field (a producer bug fails at the producer). */
export function encodeSiteMessage(message: SiteMessageInput): Uint8Array {
  const parsed = SiteMessageSchema.safeParse(message);
  if (!parsed.success) throw new RangeError(`invalid site message: ${formatZodError(parsed.error).join('; ')}`);
  return new TextEncoder().encode(JSON.stringify(parsed.data));
}
