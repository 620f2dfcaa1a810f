import type { AddressInfo } from 'node:net';
import { MESSAGE_VERSION, type MessageInput } from '@fedssd/protocol';
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

/** What the aggregator does for each event: append it to the run's log, then publish it on the fanout. */
async function emit(message: MessageInput): Promise<string | null> {
  const id = await t.runs.appendEvent(message);
  await t.transport.bus.publish(message);
  return id;
}

const finished = (runId: string) => ({
  type: 'run.finished' as const,
  version: MESSAGE_VERSION as 1,
  runId,
  roundsCompleted: 2,
  globalVersion: 2,
});

/** The `id:` and `event:` of every frame, in order. */
const frames = (text: string) =>
  [...text.matchAll(/id: (\S+)\nevent: (\S+)\ndata: (.*)\n\n/g)].map((m) => ({ id: m[1]!, type: m[2]!, data: m[3]! }));

describe('GET /v1/runs/:id/events', () => {
  it("when an event of the run is published on the bus, then the stream delivers it (and not other runs' events)", async () => {
    t = await build({ sseHeartbeatMs: 20 });
    await t.createRun();
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reading = readUntil(res.body!, (text) => text.includes('event: round.opened') && text.includes(': heartbeat'));
    await emit(opened('other-run', 1));
    const id = await emit(opened('run-1', 1));
    const text = await reading;
    expect(text).toContain(': subscribed to run run-1');
    const got = frames(text);
    expect(got.map((f) => f.id)).toEqual([id]);
    expect(JSON.parse(got[0]!.data)).toMatchObject({ runId: 'run-1', round: 1, selectedClients: [0, 1] });
    expect(text).not.toContain('other-run');
  });

  it('when the run finishes, then the stream ends after the run.finished event', async () => {
    t = await build();
    await t.createRun();
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    const reading = readUntil(res.body!, () => false);
    await emit(finished('run-1'));
    const text = await reading; // resolves only when the server ends the stream
    expect(text).toContain('event: run.finished');
  });

  it('when a client connects after events were logged, then it gets them all from the oldest, in order, then the live ones', async () => {
    t = await build({ sseHeartbeatMs: 1_000 });
    await t.createRun();
    const ids = [await emit(opened('run-1', 1)), await emit(opened('run-1', 2))];
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    const reading = readUntil(res.body!, () => false);
    ids.push(await emit(opened('run-1', 3)), await emit(finished('run-1')));
    const got = frames(await reading);
    expect(got.map((f) => f.id)).toEqual(ids);
    expect(got.map((f) => f.type)).toEqual(['round.opened', 'round.opened', 'round.opened', 'run.finished']);
  });

  it('when a client resumes with Last-Event-ID (or ?after=), then it gets exactly the events after that id', async () => {
    t = await build();
    await t.createRun();
    const ids = [];
    for (let round = 1; round <= 3; round++) ids.push(await emit(opened('run-1', round)));
    ids.push(await emit(finished('run-1')));
    const base = await listen(t.app);
    const byHeader = await fetch(`${base}/v1/runs/run-1/events`, { headers: { ...AUTH, 'last-event-id': ids[1]! } });
    expect(frames(await readUntil(byHeader.body!, () => false)).map((f) => f.id)).toEqual(ids.slice(2));
    const byQuery = await fetch(`${base}/v1/runs/run-1/events?after=${ids[0]}`, { headers: AUTH });
    expect(frames(await readUntil(byQuery.body!, () => false)).map((f) => f.id)).toEqual(ids.slice(1));
  });

  it('when the fanout message is lost, then the next heartbeat still delivers the logged event', async () => {
    t = await build({ sseHeartbeatMs: 20 });
    await t.createRun();
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    const reading = readUntil(res.body!, () => false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const id = await t.runs.appendEvent(opened('run-1', 1)); // logged, never published
    await t.runs.appendEvent(finished('run-1'));
    const got = frames(await reading);
    expect(got.map((f) => f.type)).toEqual(['round.opened', 'run.finished']);
    expect(got[0]!.id).toBe(id);
  });

  it('when the aggregator redoes an emit (same type and round), then the log and the stream hold it once', async () => {
    t = await build();
    await t.createRun();
    const first = await emit(opened('run-1', 1));
    expect(await emit(opened('run-1', 1))).toBeNull();
    await emit(finished('run-1'));
    const base = await listen(t.app);
    const res = await fetch(`${base}/v1/runs/run-1/events`, { headers: AUTH });
    const got = frames(await readUntil(res.body!, () => false));
    expect(got.map((f) => f.id)).toEqual([first, expect.any(String)]);
  });

  it('when Last-Event-ID or after is not an event id, then 400 VALIDATION_FAILED naming the field', async () => {
    t = await build();
    await t.createRun();
    const header = await t.app.inject({ url: '/v1/runs/run-1/events', headers: { ...AUTH, 'last-event-id': '12' } });
    expect(header.statusCode).toBe(400);
    expect(header.json().error.code).toBe('VALIDATION_FAILED');
    expect(header.json().error.message).toMatch(/last-event-id.*<ms>-<seq>/i);
    const query = await t.app.inject({ url: '/v1/runs/run-1/events?after=abc', headers: AUTH });
    expect(query.statusCode).toBe(400);
    expect(query.json().error.message).toMatch(/after.*<ms>-<seq>/i);
  });

  it('when the event log cannot be read, then 503 UNAVAILABLE before any stream starts', async () => {
    t = await build();
    await t.createRun();
    t.runs.readEvents = async () => {
      throw new Error('redis down');
    };
    const res = await t.app.inject({ url: '/v1/runs/run-1/events', headers: AUTH });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('UNAVAILABLE');
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
