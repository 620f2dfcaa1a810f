import type { AddressInfo } from 'node:net';
import { MESSAGE_VERSION } from '@fedssd/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, build, type TestApp } from './helper.js';

let t: TestApp;
afterEach(async () => t.close());

/** Reads an SSE body until `until` matches the text so far (or the stream ends). */
async function readUntil(body: ReadableStream<Uint8Array>, until: (text: string) => boolean): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (until(text)) {
      await reader.cancel();
      return text;
    }
  }
}

async function listen(app: TestApp['app']): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const opened = (runId: string, round: number) => ({
  type: 'round.opened' as const,
  version: MESSAGE_VERSION as 1,
  runId,
  round,
  globalVersion: round - 1,
  selectedClients: [0, 1],
  deadline: 1_000_000,
});

describe('GET /v1/runs/:id/events', () => {
  it("when an event of the run is published on the bus, then the stream delivers it (and not other runs' events)", async () => {
    t = await build({ sseHeartbeatMs: 20 });
    await t.createRun();
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reading = readUntil(res.body!, (text) => text.includes('event: round.opened') && text.includes(': heartbeat'));
    await t.transport.bus.publish(opened('other-run', 1));
    await t.transport.bus.publish(opened('run-1', 1));
    const text = await reading;
    expect(text).toContain(': subscribed to run run-1');
    const frame = /id: (\d+)\nevent: round\.opened\ndata: (.*)\n\n/.exec(text);
    expect(frame?.[1]).toBe('1');
    expect(JSON.parse(frame![2]!)).toMatchObject({ runId: 'run-1', round: 1, selectedClients: [0, 1] });
    expect(text).not.toContain('other-run');
  });

  it('when the run finishes, then the stream ends after the run.finished event', async () => {
    t = await build();
    await t.createRun();
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    const reading = readUntil(res.body!, () => false);
    await t.transport.bus.publish({ type: 'run.finished', version: MESSAGE_VERSION, runId: 'run-1', roundsCompleted: 2, globalVersion: 2 });
    const text = await reading; // resolves only when the server ends the stream
    expect(text).toContain('event: run.finished');
  });

  it('when the app closes while a client is connected, then the stream ends and close does not hang', async () => {
    t = await build();
    await t.createRun();
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    const reading = readUntil(res.body!, () => false);
    const started = Date.now();
    await t.app.close();
    await reading;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('when the run is unknown, then 404 JSON before any stream starts', async () => {
    t = await build();
    const res = await t.app.inject({ url: '/v1/runs/ghost/events', headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });

  it('when the events subscription cannot be made, then 503 UNAVAILABLE', async () => {
    t = await build();
    await t.createRun();
    t.transport.bus.subscribe = async () => {
      throw new Error('broker down');
    };
    const res = await t.app.inject({ url: '/v1/runs/run-1/events', headers: AUTH });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('UNAVAILABLE');
  });
});
