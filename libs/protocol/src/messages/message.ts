import { z } from 'zod';
import { RoundStartSchema, RunStartSchema, RunStopSchema } from './commands.js';
import { RoundClosedSchema, RoundEvaluatedSchema, RoundOpenedSchema, RunFailedSchema, RunFinishedSchema } from './events.js';
import { TrainJobSchema, UpdateReadySchema } from './jobs.js';

/** Every message, discriminated by `type`. */
export const MessageSchema = z.discriminatedUnion('type', [
  RunStartSchema,
  RoundStartSchema,
  RunStopSchema,
  TrainJobSchema,
  UpdateReadySchema,
  RoundOpenedSchema,
  RoundClosedSchema,
  RoundEvaluatedSchema,
  RunFinishedSchema,
  RunFailedSchema,
]);

export type Message = z.infer<typeof MessageSchema>;
/** A message as written by a producer (defaults such as `rejectedByReason` may be omitted). */
export type MessageInput = z.input<typeof MessageSchema>;
export type MessageType = Message['type'];
/** The message with the given `type`. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** Every message type, in declaration order. */
export const MESSAGE_TYPES = MessageSchema.options.map((option) => option.shape.type.value) as readonly MessageType[];

/** Which logical channel carries each message type (see names.ts for the broker names). */
export type Channel = 'control' | 'jobs' | 'updates' | 'events';

const CHANNEL_OF: Record<MessageType, Channel> = {
  'run.start': 'control',
  'round.start': 'control',
  'run.stop': 'control',
  'train.job': 'jobs',
  'update.ready': 'updates',
  'round.opened': 'events',
  'round.closed': 'events',
  'round.evaluated': 'events',
  'run.finished': 'events',
  'run.failed': 'events',
};

/** The channel a message type travels on: commands on control, jobs, updates, round/run events. */
export function channelOf(type: MessageType): Channel {
  return CHANNEL_OF[type];
}

/** Whether `type` belongs on `channel` (consumers dead-letter messages that arrive on the wrong one). */
export function isOnChannel(type: MessageType, channel: Channel): boolean {
  return CHANNEL_OF[type] === channel;
}
