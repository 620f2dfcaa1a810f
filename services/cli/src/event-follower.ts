import { UserError } from './user-error.js';

/** One server-sent event: its `id:` (absent when the server sent none), type and data lines joined. */
export interface SseFrame {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** The api could not be reached or answered 5xx: worth another try (unlike a 4xx or a bad flag). */
export class RetryableError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** Yields the frames of a server-sent-events byte stream (comments and `retry:` lines are skipped). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trim());
        else if (line.startsWith('id:')) id = line.slice(3).trim();
      }
      if (data.length) yield { ...(id !== undefined ? { id } : {}), event, data: data.join('\n') };
    }
  }
}

export interface FollowOptions {
  /** Opens the stream, resuming after `lastEventId` when given (sent as `Last-Event-ID`). */
  open(lastEventId: string | undefined): Promise<ReadableStream<Uint8Array>>;
  /** Called once per event, in order; true ends the follow (a terminal event). */
  onEvent(frame: SseFrame): boolean;
  /** Reconnects in a row without a new event before giving up; default 10. */
  maxRetries?: number;
  /** Wait before reconnect number `attempt` (1, 2, ...), in ms; default 250 ms doubling up to 5 s. */
  backoffMs?: (attempt: number) => number;
  /** Told before each wait (progress to stderr). */
  onRetry?: (attempt: number, delayMs: number, why: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const defaultBackoff = (attempt: number) => Math.min(250 * 2 ** (attempt - 1), 5_000);

/**
 * Follows a run's event stream until `onEvent` says stop. When the connection drops (api
 * restarted, proxy timeout, network) or the api answers 5xx, it reconnects with `Last-Event-ID`
 * set to the last id seen, so the server sends exactly the events after it: none is missed or
 * shown twice. Backoff grows while reconnects fail and resets after an event arrives; 4xx
 * answers (unknown run, bad token) are not retried.
 */
export async function followEvents(options: FollowOptions): Promise<void> {
  const maxRetries = options.maxRetries ?? 10;
  const backoff = options.backoffMs ?? defaultBackoff;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last: string | undefined;
  let failures = 0;
  for (;;) {
    let why: string;
    try {
      const body = await options.open(last);
      for await (const frame of readSse(body)) {
        failures = 0;
        if (frame.id !== undefined) last = frame.id;
        if (options.onEvent(frame)) return;
      }
      why = 'the stream ended before the run did';
    } catch (error) {
      if (error instanceof UserError && !(error instanceof RetryableError)) throw error;
      why = (error as Error).message;
    }
    failures += 1;
    if (failures > maxRetries) throw new UserError(`lost the run's event stream ${maxRetries + 1} times in a row (${why}); giving up`);
    const delay = backoff(failures);
    options.onRetry?.(failures, delay, why);
    await sleep(delay);
  }
}
