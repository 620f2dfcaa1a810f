import type { MessageInput } from '@fedssd/protocol';
import { ApiError } from './errors.js';
import type { CommandBus } from './ports.js';

/** Publishes a command; a broker that does not confirm it becomes a 503 the client may retry. */
export async function publishOr503(bus: Pick<CommandBus, 'publish'>, message: MessageInput): Promise<void> {
  try {
    await bus.publish(message);
  } catch (error) {
    throw new ApiError('UNAVAILABLE', `the message broker did not accept the ${message.type} command; retry later`, { cause: error });
  }
}
