import { encodeMessage, parseMessage, SITE_NAME_PATTERN, type Message, type UpdateReady } from '@fedssd/protocol';

/**
 * What drives a run from outside: a message from the bus (command or update-ready), or a job
 * the broker dead-lettered. Either may be forwarded to the run's owner through its inbox.
 */
export type RunInput =
  | { readonly kind: 'message'; readonly message: Message }
  /** A federated site's update notice; `site` is the broker-authenticated sender, never a body field. */
  | { readonly kind: 'site-update'; readonly message: UpdateReady; readonly site: string }
  | { readonly kind: 'job-failed'; readonly runId: string; readonly round: number; readonly clientId: number; readonly reason: string };

export function runIdOf(input: RunInput): string {
  return input.kind === 'job-failed' ? input.runId : input.message.runId;
}

/** An inbox entry: JSON, the message in its wire form (validated again when read). */
export function encodeRunInput(input: RunInput): string {
  if (input.kind === 'job-failed') return JSON.stringify(input);
  if (input.kind === 'site-update') {
    return JSON.stringify({ kind: 'site-update', site: input.site, message: new TextDecoder().decode(encodeMessage(input.message)) });
  }
  return JSON.stringify({ kind: 'message', message: new TextDecoder().decode(encodeMessage(input.message)) });
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Reads an inbox entry back; undefined for anything that is not one (only aggregator replicas
 * write inboxes, so that means a bug or tampering: the caller logs and drops it).
 */
export function decodeRunInput(text: string): RunInput | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (entry.kind === 'message' && typeof entry.message === 'string') {
    const parsed = parseMessage(entry.message);
    return parsed.ok ? { kind: 'message', message: parsed.message } : undefined;
  }
  if (
    entry.kind === 'site-update' &&
    typeof entry.message === 'string' &&
    typeof entry.site === 'string' &&
    SITE_NAME_PATTERN.test(entry.site)
  ) {
    const parsed = parseMessage(entry.message);
    return parsed.ok && parsed.message.type === 'update.ready'
      ? { kind: 'site-update', message: parsed.message, site: entry.site }
      : undefined;
  }
  if (entry.kind === 'job-failed' && typeof entry.runId === 'string' && isInt(entry.round) && isInt(entry.clientId)) {
    const reason = typeof entry.reason === 'string' ? entry.reason : 'unknown';
    return { kind: 'job-failed', runId: entry.runId, round: entry.round, clientId: entry.clientId, reason };
  }
  return undefined;
}
