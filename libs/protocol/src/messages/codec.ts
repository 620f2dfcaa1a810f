import { formatZodError } from '../format-zod-error.js';
import { shown } from '../fields.js';
import { MESSAGE_VERSION } from './base.js';
import { MESSAGE_TYPES, MessageSchema, type Message, type MessageInput } from './message.js';

/** Upper bound on an encoded message: messages carry keys, never weights. */
export const MAX_MESSAGE_BYTES = 1 << 20;

export type ParseResult = { ok: true; message: Message } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Decode and validate one message from bytes (UTF-8 JSON) or a string. Never throws: anything
 * that is not a valid current-version message comes back as `{ ok: false, reason }`, which the
 * consumer dead-letters.
 */
export function parseMessage(input: Uint8Array | string): ParseResult {
  let text: string;
  try {
    if (typeof input === 'string') text = input;
    else if (input instanceof Uint8Array) {
      if (input.byteLength > MAX_MESSAGE_BYTES) return { ok: false, reason: `message larger than ${MAX_MESSAGE_BYTES} bytes` };
      text = decoder.decode(input);
    } else return { ok: false, reason: `expected bytes or a string (got ${typeof input})` };
  } catch {
    return { ok: false, reason: 'message is not valid UTF-8' };
  }
  if (text.length > MAX_MESSAGE_BYTES) return { ok: false, reason: `message larger than ${MAX_MESSAGE_BYTES} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'message is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: `message must be a JSON object (got ${shown(raw)})` };
  }
  const { type, version } = raw as { type?: unknown; version?: unknown };
  // Check the discriminator and version first so the reason is short and names the real problem.
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { ok: false, reason: `type: must be one of ${MESSAGE_TYPES.join(', ')} (got ${shown(type)})` };
  }
  if (version !== MESSAGE_VERSION) {
    return { ok: false, reason: `version: must be ${MESSAGE_VERSION} (got ${shown(version)})` };
  }
  const parsed = MessageSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `${type}: ${formatZodError(parsed.error).join('; ')}` };
  return { ok: true, message: parsed.data };
}

/** Thrown by {@link encodeMessage} for a message that would not pass {@link parseMessage}. */
export class InvalidMessageError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid message: ${problems.join('; ')}`);
    this.name = 'InvalidMessageError';
  }
}

/**
 * Validate (applying defaults) and encode a message as UTF-8 JSON bytes. Throws
 * {@link InvalidMessageError} naming each bad field, so a producer bug fails at the producer.
 */
export function encodeMessage(message: MessageInput): Uint8Array {
  const parsed = MessageSchema.safeParse(message);
  if (!parsed.success) throw new InvalidMessageError(formatZodError(parsed.error));
  return encoder.encode(JSON.stringify(parsed.data));
}
