import { MESSAGE_VERSION, updateKey, type RoundRecord, type UpdateReady } from '@fedssd/protocol';
import { decodeWeights, encodeWeights, type Weights } from '@fedssd/tensor';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../../tools/test-support/processes.js';
import { createStack, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Bad input on the real broker and Redis, with the aggregator and api as processes and no
 * trainer at first (so round 1 stays open and the test plays the clients): crafted updates are
 * rejected and counted by reason on the aggregator's /metrics; malformed and oversized messages
 * on every queue end in the dead-letter queue.
 */
let stack: Stack | string;
const RUN = {
  clients: 4,
  participation: 0.5,
  rounds: 2,
  trainLimit: 120,
  batchSize: 16,
  alpha: 100,
  seed: 5,
  maxUpdateL2Norm: 5,
  evalEvery: 100,
};

beforeAll(async () => {
  stack = await createStack('input');
  if (typeof stack === 'string') return;
  await startServices(stack, []);
});
afterAll(async () => {
  if (typeof stack !== 'string') await stack?.cleanup();
});

const LOSS = { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 };

describe('bad input is refused, counted by reason, and dead-lettered', () => {
  it('when crafted updates arrive, then each is rejected with its reason in the round record and on /metrics, and a valid one still counts once', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const created = await s.http<{ runId: string }>('POST', '/v1/runs', RUN);
    expect(created.status).toBe(201);
    const { runId } = created.json;
    // Manual rounds (no autoAdvance): round 1 opens on request once the aggregator set the run up.
    await waitFor(
      'round 1 requested',
      async () => ((await s.http('POST', `/v1/runs/${runId}/rounds`)).status === 202 ? true : undefined),
      30_000,
      200,
    );
    const round = await waitFor(
      'round 1 collecting',
      async () => {
        const r = await s.round(runId, 1);
        return r?.status === 'collecting' ? r : undefined;
      },
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${s.dump()}`);
    });
    expect(round.selected).toHaveLength(2);
    const [a, b] = round.selected as [number, number];
    const unselected = [0, 1, 2, 3].find((c) => !round.selected.includes(c))!;
    const global = decodeWeights((await s.runs.getModel(runId, 0))!);
    const zeros = (): Weights => global.map((w) => ({ name: w.name, shape: w.shape, values: new Float32Array(w.values.length) }));

    let rejectedSoFar = 0;
    /** Writes `delta` (when given) at the client's key, announces it, waits until the aggregator recorded a verdict. */
    async function send(clientId: number, delta: Weights | Uint8Array | null, overrides: Partial<UpdateReady> = {}): Promise<RoundRecord> {
      const key = updateKey(runId, 1, clientId);
      if (delta !== null) await s.redis.blobs.putBlob(key, delta instanceof Uint8Array ? delta : encodeWeights(delta));
      const before = await s.round(runId, 1);
      const seen = (before?.accepted.length ?? 0) + rejectedSoFar;
      await s.amqp.bus.publish({
        type: 'update.ready',
        version: MESSAGE_VERSION,
        runId,
        round: 1,
        clientId,
        globalVersion: 0,
        updateKey: key,
        samples: 1,
        trainSeconds: 0.1,
        loss: LOSS,
        workerId: 'faults-test',
        ...overrides,
      } as UpdateReady);
      return waitFor(
        'a verdict',
        async () => {
          const r = (await s.round(runId, 1))!;
          if (r.accepted.length + r.rejected.length > seen) {
            rejectedSoFar = r.rejected.length;
            return r;
          }
          return undefined;
        },
        20_000,
        50,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${s.dump()}`);
      });
    }
    const lastReason = (r: RoundRecord) => r.rejected.at(-1)?.reason;
    const samplesOf = (r: RoundRecord) => Number(/holds (\d+) samples/.exec(r.rejected.at(-1)?.message ?? '')?.[1]);

    // Sample counts are not public; a wrong claim makes the aggregator state the right one.
    let r = await send(a, zeros());
    expect(lastReason(r)).toBe('bad-samples');
    const samplesA = samplesOf(r);
    r = await send(b, zeros());
    const samplesB = samplesOf(r);
    expect(samplesA).toBeGreaterThan(0);
    expect(samplesB).toBeGreaterThan(0);

    const withValue = (v: number) => zeros().map((w, i) => (i === 0 ? { ...w, values: w.values.map((_, j) => (j === 0 ? v : 0)) } : w));
    const cases: Array<[string, number, Weights | Uint8Array | null, Partial<UpdateReady>]> = [
      ['non-finite', b, withValue(Number.NaN), { samples: samplesB }],
      ['non-finite', b, withValue(Number.POSITIVE_INFINITY), { samples: samplesB }],
      ['shape-mismatch', b, zeros().map((w, i) => (i === 0 ? { ...w, shape: [1, ...w.shape] } : w)), { samples: samplesB }],
      ['missing-tensor', b, zeros().slice(1), { samples: samplesB }],
      ['unexpected-tensor', b, [...zeros(), { name: 'zzz/extra', shape: [1], values: new Float32Array(1) }], { samples: samplesB }],
      ['norm-exceeded', b, withValue(6), { samples: samplesB }],
      ['corrupt', b, new Uint8Array([1, 2, 3, 4, 5]), { samples: samplesB }],
      ['wrong-key', b, null, { samples: samplesB, updateKey: updateKey(runId, 1, a) }],
      ['unselected', unselected, zeros(), { samples: 1 }],
      ['stale', b, null, { samples: samplesB, globalVersion: 1 }],
    ];
    // No round-1 record moves for these (a round that does not exist, a run that does not exist): only the counter shows them (checked below).
    await s.amqp.bus.publish({
      type: 'update.ready',
      version: MESSAGE_VERSION,
      runId,
      round: 2,
      clientId: b,
      globalVersion: 0,
      updateKey: updateKey(runId, 2, b),
      samples: samplesB,
      trainSeconds: 0,
      loss: LOSS,
      workerId: 'faults-test',
    });
    await s.amqp.bus.publish({
      type: 'update.ready',
      version: MESSAGE_VERSION,
      runId: 'no-such-run',
      round: 1,
      clientId: b,
      globalVersion: 0,
      updateKey: updateKey('no-such-run', 1, b),
      samples: 1,
      trainSeconds: 0,
      loss: LOSS,
      workerId: 'faults-test',
    });
    for (const [reason, client, delta, overrides] of cases) {
      const acceptedBefore = (await s.round(runId, 1))!.accepted.length;
      r = await send(client, delta, overrides);
      expect(r.accepted.length, `${reason}: was accepted`).toBe(acceptedBefore);
      expect(lastReason(r), `${reason}: ${r.rejected.at(-1)?.message}`).toBe(reason);
    }
    // The norm bound is not a blanket refusal: a delta just inside it counts.
    r = await send(a, withValue(4.9), { samples: samplesA });
    expect(r.accepted.map((u) => u.clientId)).toEqual([a]);
    r = await send(a, withValue(4.9), { samples: samplesA });
    expect(lastReason(r)).toBe('duplicate');
    expect(r.accepted).toHaveLength(1);

    // Stop the run: round 1 closes; an update for it afterwards meets a closed round.
    expect((await s.http('POST', `/v1/runs/${runId}/stop`)).status).toBe(202);
    await waitFor('round 1 closed', async () => ((await s.round(runId, 1))?.status === 'closed' ? true : undefined), 30_000);
    await s.amqp.bus.publish({
      type: 'update.ready',
      version: MESSAGE_VERSION,
      runId,
      round: 1,
      clientId: b,
      globalVersion: 0,
      updateKey: updateKey(runId, 1, b),
      samples: samplesB,
      trainSeconds: 0,
      loss: LOSS,
      workerId: 'faults-test',
    });

    const expected: Record<string, number> = {
      'bad-samples': 2,
      'non-finite': 2,
      'shape-mismatch': 1,
      'missing-tensor': 1,
      'unexpected-tensor': 1,
      'norm-exceeded': 1,
      corrupt: 1,
      'wrong-key': 1,
      unselected: 1,
      stale: 2,
      'unknown-run': 1,
      duplicate: 1,
      'closed-round': 1,
    };
    const ops = await s.opsUrl('aggregator');
    const counted = await waitFor(
      'every rejection on /metrics',
      async () => {
        const text = await (await fetch(`${ops}/metrics`)).text();
        const got: Record<string, number> = {};
        for (const m of text.matchAll(/^fedssd_updates_rejected_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/gm)) got[m[1]!] = Number(m[2]);
        return Object.entries(expected).every(([k, v]) => got[k] === v) ? got : undefined;
      },
      20_000,
      300,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${s.dump()}`);
    });
    expect(counted).toMatchObject(expected);
  });

  it('when malformed and oversized messages are published on every queue and on the events exchange, then each queued one lands in the dead-letter queue and the events are dropped', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    // A trainer consumes the jobs queue; the aggregator consumes control and updates; the api subscribes to events.
    s.start('t1', 'trainer');
    await s.logged('t1', 'trainer ready');
    // The api binds its events queue while a client follows a run: open one stream for the duration.
    const created = await s.http<{ runId: string }>('POST', '/v1/runs', { clients: 2, rounds: 1 });
    const follow = new AbortController();
    const stream = await fetch(`${s.apiUrl}/v1/runs/${created.json.runId}/events`, {
      headers: { authorization: `Bearer ${s.token}` },
      signal: follow.signal,
    });
    expect(stream.status).toBe(200);
    onTestFinished(() => follow.abort());
    const names = s.amqp.connection.names;
    const ch = await s.amqp.connection.publisherChannel();
    const bodies = (tag: string) => [
      Buffer.from(`not json ${tag}`),
      Buffer.from(JSON.stringify({ type: 'nonsense', tag })),
      Buffer.from(JSON.stringify({ type: 'train.job', version: MESSAGE_VERSION, runId: 'x', round: -1, tag })),
      Buffer.from(JSON.stringify({ type: 'update.ready', tag, pad: 'x'.repeat(1_100_000) })),
    ];
    let sent = 0;
    for (const q of ['control', 'jobs', 'updates'] as const) {
      for (const body of bodies(`q-${q}`)) {
        ch.sendToQueue(names[q], body, { persistent: true });
        sent += 1;
      }
    }
    for (const body of bodies('x-events')) ch.publish(names.events, '', body);
    await ch.waitForConfirms();
    const dead: string[] = [];
    await waitFor(
      'dead letters',
      async () => {
        for (let m = await ch.get(names.dead, { noAck: true }); m !== false; m = await ch.get(names.dead, { noAck: true }))
          dead.push(m.content.toString('utf8', 0, 200));
        const tagged = (tag: string) => dead.filter((d) => d.includes(tag) || d.startsWith('{"type":"update.ready","tag":"' + tag)).length;
        return ['q-control', 'q-jobs', 'q-updates'].every((t) => tagged(t) === 4) ? true : undefined;
      },
      30_000,
      300,
    ).catch((error: Error) => {
      const tags = dead.map((d) => /(q-\w+|x-events)/.exec(d)?.[1] ?? d.slice(0, 40));
      throw new Error(`${error.message}; dead so far (${dead.length}): ${tags.join(' | ')}\n${s.dump()}`);
    });
    expect(sent).toBe(12);
    // Event queues have no dead-letter exchange (the api's user may not write the dead-letter fanout,
    // or it could forge job failures): the api drops invalid events instead.
    expect(dead.filter((d) => d.includes('x-events'))).toEqual([]);
    // Nothing stuck: the source queues hold no copy of the poison (quorum queues report their counts
    // to rabbitmqctl every few seconds, and keep a dead letter until its copies are confirmed: poll).
    await waitFor(
      'control and updates queues empty',
      async () => {
        const counts = await s.queueCounts();
        return (['control', 'updates'] as const).every((q) => counts[q]?.ready === 0 && counts[q]?.unacked === 0) ? true : undefined;
      },
      30_000,
      500,
    );
    // The services survived the poison.
    for (const name of ['aggregator', 't1', 'api']) expect(s.services.get(name)!.child.exitCode, name).toBeNull();
    const health = await fetch(`${s.apiUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
