import type { TrainJob } from '@fedssd/protocol';

/** Polls `check` every 10 ms until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A valid job for client `clientId` of round 1 of run `runId`. */
export function job(clientId: number, runId = 'run-1'): TrainJob {
  return {
    type: 'train.job',
    version: 1,
    runId,
    round: 1,
    clientId,
    globalVersion: 0,
    modelKey: `fedssd:run:{${runId}}:model:v0`,
    target: null,
    deadline: 1_700_000_000_000,
    attempt: 1,
  };
}

export const utf8 = (text: string) => new TextEncoder().encode(text);
export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
