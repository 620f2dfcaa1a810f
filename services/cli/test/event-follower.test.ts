import { describe, expect, it } from 'vitest';
import { followEvents, readSse, RetryableError, type SseFrame } from '../src/event-follower.js';
import { UserError } from '../src/user-error.js';

/** A byte stream of `chunks`, then either a clean end or an error (a dropped connection). */
function body(chunks: string[], drop = false): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rest = [...chunks];
  // One chunk per pull: erroring in start() would discard what was queued before the reader saw it.
  return new ReadableStream({
    pull(controller) {
      const next = rest.shift();
      if (next !== undefined) controller.enqueue(encoder.encode(next));
      else if (drop) controller.error(new TypeError('terminated'));
      else controller.close();
    },
  });
}

const frame = (id: string, event: string, data = '{}') => `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;

/**
 * A fake server over one event log: answers each open with the events after `lastEventId`,
 * cut after `cuts[n]` events on the n-th connection (dropped mid-frame), or a failure.
 */
function server(log: Array<[string, string]>, plan: Array<number | Error>) {
  const opens: Array<string | undefined> = [];
  return {
    opens,
    open: async (lastEventId: string | undefined) => {
      opens.push(lastEventId);
      const step = plan.shift() ?? Infinity;
      if (step instanceof Error) throw step;
      const from = lastEventId === undefined ? 0 : log.findIndex(([id]) => id === lastEventId) + 1;
      const rest = log.slice(from);
      const sent = rest.slice(0, step).map(([id, type]) => frame(id, type));
      const cut = step < rest.length;
      // A cut also sends half of the next frame: it must not be shown.
      return body([': subscribed\n\n', ...sent, ...(cut ? [frame(rest[step]![0], rest[step]![1]).slice(0, 12)] : [])], cut);
    },
  };
}

const LOG: Array<[string, string]> = [
  ['1-0', 'round.opened'],
  ['2-0', 'round.closed'],
  ['3-0', 'round.evaluated'],
  ['4-0', 'round.opened'],
  ['5-0', 'run.finished'],
];

async function follow(s: ReturnType<typeof server>, maxRetries = 10) {
  const seen: SseFrame[] = [];
  const delays: number[] = [];
  await followEvents({
    open: s.open,
    onEvent: (f) => {
      seen.push(f);
      return f.event === 'run.finished';
    },
    maxRetries,
    sleep: async (ms) => void delays.push(ms),
  });
  return { seen, delays };
}

describe('readSse', () => {
  it('when frames carry id, event and multi-line data, then each is yielded whole; comments are skipped', async () => {
    const frames: SseFrame[] = [];
    for await (const f of readSse(body(['retry: 3000\n: hi\n\n', 'id: 7-1\nevent: x\nda', 'ta: a\ndata: b\n\n', 'data: plain\n\n'])))
      frames.push(f);
    expect(frames).toEqual([
      { id: '7-1', event: 'x', data: 'a\nb' },
      { event: 'message', data: 'plain' },
    ]);
  });
});

describe('followEvents', () => {
  it('when the connection drops twice mid-run, then it resumes with Last-Event-ID and sees every event exactly once', async () => {
    const s = server(LOG, [2, 1, Infinity]);
    const { seen } = await follow(s);
    expect(seen.map((f) => f.id)).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0']);
    expect(s.opens).toEqual([undefined, '2-0', '3-0']);
  });

  it('when the api is unreachable for a while, then it backs off (growing, capped) and carries on where it was', async () => {
    const down = () => new RetryableError('cannot reach the API');
    const s = server(LOG, [3, down(), down(), down(), Infinity]);
    const { seen, delays } = await follow(s);
    expect(seen.map((f) => f.id)).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0']);
    expect(s.opens).toEqual([undefined, '3-0', '3-0', '3-0', '3-0']);
    expect(delays).toEqual([250, 500, 1000, 2000]);
  });

  it('when events arrive between failures, then the retry count starts over', async () => {
    const s = server(LOG, [1, 1, 1, 1, Infinity]);
    const { seen } = await follow(s, 1);
    expect(seen.map((f) => f.id)).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0']);
  });

  it('when reconnecting keeps failing, then it gives up with a clear error after maxRetries', async () => {
    const s = server(
      LOG,
      Array.from({ length: 5 }, () => new RetryableError('HTTP 503')),
    );
    await expect(follow(s, 3)).rejects.toThrow(/lost the run's event stream 4 times in a row \(HTTP 503\); giving up/);
  });

  it('when the api answers 4xx (unknown run, bad token), then it fails at once without retrying', async () => {
    const s = server(LOG, [new UserError('GET /v1/runs/x/events: HTTP 404: run x not found')]);
    await expect(follow(s)).rejects.toThrow(/HTTP 404/);
    expect(s.opens).toHaveLength(1);
  });
});
