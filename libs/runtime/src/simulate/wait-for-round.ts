import type { MetricsRow } from '@fedssd/protocol';
import { createRunRepository, type InMemoryTransport } from '@fedssd/transport';

const aborted = () => Object.assign(new Error('simulation aborted'), { name: 'AbortError' });

/**
 * Resolves with a round's metrics row once `round.closed` for it is published, rejects on
 * `run.failed` or when `signal` aborts (an Error named 'AbortError', as trainLocal's).
 * Subscribes at once, so a round started after this call cannot be missed.
 */
export function waitForRound(
  transport: InMemoryTransport,
  runId: string,
  round: number,
  signal?: AbortSignal,
): { promise: Promise<MetricsRow> } {
  const runs = createRunRepository(transport.state, transport.blobs);
  const promise = new Promise<MetricsRow>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    let done = false;
    const sub = transport.bus.subscribe('events', async (m) => {
      if (m.runId !== runId) return;
      if (m.type === 'run.failed') finish(() => reject(new Error(`simulation failed in round ${m.round ?? round}: ${m.reason}`)));
      if (m.type !== 'round.closed' || m.round !== round) return;
      const row = (await runs.listMetrics(runId)).find((r) => r.round === round);
      finish(() => (row ? resolve(row) : reject(new Error(`round ${round} closed without a metrics row`))));
    });
    const onAbort = () => finish(() => reject(aborted()));
    signal?.addEventListener('abort', onAbort, { once: true });
    function finish(settle: () => void): void {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      void sub.then((s) => s.cancel());
      settle();
    }
  });
  return { promise };
}
