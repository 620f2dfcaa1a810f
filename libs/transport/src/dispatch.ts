import { isOnChannel, parseMessage, type Channel, type TrainJob } from '@fedssd/protocol';
import { PoisonMessageError } from './errors.js';
import type { BusHandler, JobContext, JobFailureHandler, JobHandler } from './ports.js';

/** How an adapter settles one raw delivery; each is called at most once per delivery. */
export interface RawSettler {
  ack(): Promise<void>;
  requeue(): Promise<void>;
  /** Reject without requeue: the queue's dead-letter exchange takes it. */
  dead(): Promise<void>;
}

/** Called for every message dead-lettered because it failed validation (for logs and counters). */
export type InvalidMessageListener = (reason: string, channel: Channel) => void;

function once(settler: RawSettler) {
  let settled = false;
  const guard = (fn: () => Promise<void>) => async () => {
    if (settled) return;
    settled = true;
    await fn();
  };
  return {
    ack: guard(() => settler.ack()),
    requeue: guard(() => settler.requeue()),
    dead: guard(() => settler.dead()),
    get settled() {
      return settled;
    },
  };
}

/** Validates a message received on `channel`; returns it, or dead-letters it and returns undefined. */
async function validated(bytes: Uint8Array, channel: Channel, settle: ReturnType<typeof once>, onInvalid?: InvalidMessageListener) {
  const parsed = parseMessage(bytes);
  const reason = !parsed.ok
    ? parsed.reason
    : isOnChannel(parsed.message.type, channel)
      ? undefined
      : `message type '${parsed.message.type}' does not belong on channel '${channel}'`;
  if (reason === undefined && parsed.ok) return parsed.message;
  onInvalid?.(reason ?? 'invalid', channel);
  await settle.dead();
  return undefined;
}

/**
 * Shared by every job adapter: parse, dead-letter what fails, hand the job to the handler, and
 * requeue it if the handler throws before settling.
 */
export async function dispatchJob(
  bytes: Uint8Array,
  redelivered: boolean,
  settler: RawSettler,
  handler: JobHandler,
  onInvalid?: InvalidMessageListener,
): Promise<void> {
  const settle = once(settler);
  const message = await validated(bytes, 'jobs', settle, onInvalid);
  if (message === undefined) return;
  const ctx: JobContext = {
    redelivered,
    ack: settle.ack,
    nack: (requeue) => (requeue ? settle.requeue() : settle.dead()),
  };
  try {
    await handler(message as TrainJob, ctx);
  } catch {
    await settle.requeue();
  }
}

/**
 * Shared by every bus adapter: parse, dead-letter what fails, ack when the handler resolves,
 * dead-letter on {@link PoisonMessageError}, requeue on any other error.
 */
export async function dispatchBusMessage(
  bytes: Uint8Array,
  redelivered: boolean,
  channel: Channel,
  settler: RawSettler,
  handler: BusHandler,
  onInvalid?: InvalidMessageListener,
): Promise<void> {
  const settle = once(settler);
  const message = await validated(bytes, channel, settle, onInvalid);
  if (message === undefined) return;
  try {
    await handler(message, { redelivered });
    await settle.ack();
  } catch (error) {
    if (error instanceof PoisonMessageError) await settle.dead();
    else await settle.requeue();
  }
}

/** What the broker wrote on a dead letter: its first death's reason and queue (absent when it is not a dead letter). */
export interface DeathHeaders {
  readonly reason: string | undefined;
  readonly queue: string | undefined;
}

/**
 * Shared by every job-failure adapter: a dead letter that is a valid `train.job` with a death
 * reason goes to the handler (acked when it resolves, requeued when it throws); anything else is
 * acked and dropped, since the dead queue holds the same message for people.
 */
export async function dispatchJobFailure(
  bytes: Uint8Array,
  death: DeathHeaders,
  settler: RawSettler,
  handler: JobFailureHandler,
): Promise<void> {
  const settle = once(settler);
  const parsed = parseMessage(bytes);
  if (!parsed.ok || parsed.message.type !== 'train.job' || death.reason === undefined) return settle.ack();
  try {
    await handler({ job: parsed.message, reason: death.reason, queue: death.queue ?? '' });
    await settle.ack();
  } catch {
    await settle.requeue();
  }
}
