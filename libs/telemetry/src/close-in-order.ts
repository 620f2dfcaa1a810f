import type { Logger } from './logger.js';

/**
 * Closes what a service opened, in the given order (intake first, connections last). Each step
 * runs on its own, so one failure is logged and does not skip the rest; missing steps (never
 * opened) are passed over.
 */
export async function closeInOrder(log: Logger, steps: Array<[string, (() => Promise<void>) | undefined]>): Promise<void> {
  for (const [name, close] of steps) {
    if (close === undefined) continue;
    try {
      await close();
      log.info({ step: name }, 'closed');
    } catch (error) {
      log.error({ step: name, err: error }, 'close failed');
    }
  }
}
