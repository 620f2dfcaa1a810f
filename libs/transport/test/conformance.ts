import type { Message, QueueChannel } from '@fedssd/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PoisonMessageError,
  type BlobStore,
  type EventBus,
  type JobContext,
  type JobFailure,
  type JobQueue,
  type StateStore,
} from '../src/index.js';
import { job, sleep, text, utf8, waitFor } from './helpers.js';

/** Job attempts every harness is built with (`jobAttempts`): small, so the delivery-limit cases stay quick. */
export const CONFORMANCE_JOB_ATTEMPTS = 3;

/** What the suite needs from one adapter family, built fresh (isolated names and keys) per test. */
export interface TransportHarness {
  readonly jobs: JobQueue;
  readonly bus: EventBus;
  readonly blobs: BlobStore;
  readonly state: StateStore;
  /** Publishes bytes straight onto a queue or the events fanout, bypassing validation (poison messages). */
  publishRaw(channel: QueueChannel | 'events', bytes: Uint8Array): Promise<void>;
  /** Removes and returns the bodies in the dead-letter queue, oldest first. */
  drainDeadLetters(): Promise<string[]>;
  /** Closes everything and deletes what the harness created. */
  close(): Promise<void>;
}

/** The one suite every transport adapter family must pass (fakes and RabbitMQ + Redis). */
export function describeTransportConformance(name: string, factory: () => Promise<TransportHarness>): void {
  describe(`${name}: transport conformance`, () => {
    let t: TransportHarness;
    beforeEach(async () => {
      t = await factory();
    });
    afterEach(async () => {
      await t.close();
    });

    const collectJobs = async (prefetch = 1, settle: 'ack' | 'hold' = 'ack') => {
      const seen: Array<{ clientId: number; redelivered: boolean; ctx: JobContext }> = [];
      const sub = await t.jobs.consumeJobs(
        async (j, ctx) => {
          seen.push({ clientId: j.clientId, redelivered: ctx.redelivered, ctx });
          if (settle === 'ack') await ctx.ack();
        },
        { prefetch },
      );
      return { seen, sub };
    };
    const deadLettersUntil = async (count: number) => {
      const dead: string[] = [];
      await waitFor(async () => (dead.push(...(await t.drainDeadLetters())), dead.length >= count), 5_000, `${count} dead letters`);
      return dead;
    };

    describe('job queue', () => {
      it('when jobs are published, then depth counts them and a consumer gets each once in order', async () => {
        for (const id of [0, 1, 2]) await t.jobs.publishJob(job(id));
        await waitFor(async () => (await t.jobs.depth()) === 3, 2_000, 'depth 3');
        const { seen } = await collectJobs();
        await waitFor(() => seen.length === 3, 5_000, 'three jobs');
        expect(seen.map((s) => [s.clientId, s.redelivered])).toEqual([
          [0, false],
          [1, false],
          [2, false],
        ]);
        await sleep(50);
        expect(seen).toHaveLength(3);
        expect(await t.jobs.depth()).toBe(0);
      });

      it('when a consumer holds a job with prefetch 1, then it gets no second job until it acks', async () => {
        await t.jobs.publishJob(job(0));
        await t.jobs.publishJob(job(1));
        const { seen } = await collectJobs(1, 'hold');
        await waitFor(() => seen.length === 1, 5_000, 'first job');
        await sleep(100);
        expect(seen).toHaveLength(1);
        await seen[0]?.ctx.ack();
        await waitFor(() => seen.length === 2, 5_000, 'second job');
        expect(seen[1]?.clientId).toBe(1);
      });

      it('when a job is nacked with requeue, then it comes back marked redelivered', async () => {
        await t.jobs.publishJob(job(4));
        const seen: boolean[] = [];
        await t.jobs.consumeJobs(async (_j, ctx) => {
          seen.push(ctx.redelivered);
          await ctx.nack(seen.length === 1);
        });
        await waitFor(() => seen.length === 2, 5_000, 'redelivery');
        expect(seen).toEqual([false, true]);
      });

      it('when a consumer is cancelled holding an unacked job, then another consumer gets it redelivered', async () => {
        await t.jobs.publishJob(job(7));
        const first = await collectJobs(1, 'hold');
        await waitFor(() => first.seen.length === 1, 5_000, 'delivery');
        await first.sub.cancel();
        await first.seen[0]?.ctx.ack(); // too late: a no-op, the job is already back in the queue
        const second = await collectJobs();
        await waitFor(() => second.seen.length === 1, 5_000, 'redelivery');
        expect(second.seen[0]).toMatchObject({ clientId: 7, redelivered: true });
      });

      it('when the handler throws before settling, then the job is requeued', async () => {
        await t.jobs.publishJob(job(2));
        let calls = 0;
        await t.jobs.consumeJobs(async (_j, ctx) => {
          calls++;
          if (calls === 1) throw new Error('worker crashed');
          await ctx.ack();
        });
        await waitFor(() => calls === 2, 5_000, 'retry');
      });

      it('when a job is nacked without requeue, then it is dead-lettered', async () => {
        await t.jobs.publishJob(job(9));
        await t.jobs.consumeJobs(async (_j, ctx) => ctx.nack(false));
        const [dead] = await deadLettersUntil(1);
        expect(JSON.parse(dead ?? '')).toMatchObject({ type: 'train.job', clientId: 9 });
      });

      it('when malformed messages reach the job queue, then they are dead-lettered and never handled', async () => {
        await t.publishRaw('jobs', utf8('{"type":"train.job","version":1'));
        await t.publishRaw('jobs', utf8(JSON.stringify({ ...job(1), clientId: -1 })));
        await t.publishRaw('jobs', utf8(JSON.stringify({ type: 'round.start', version: 1, runId: 'r', round: 1 })));
        await t.jobs.publishJob(job(5));
        const { seen } = await collectJobs();
        await waitFor(() => seen.length === 1, 5_000, 'the valid job');
        expect(seen[0]?.clientId).toBe(5);
        const dead = await deadLettersUntil(3);
        expect(dead[0]).toBe('{"type":"train.job","version":1');
        expect(dead.slice(1).map((d) => JSON.parse(d).type)).toEqual(['train.job', 'round.start']);
      });

      it('when a job is nacked with requeue as often as the delivery limit allows, then it is dead-lettered and the failure feed reports delivery_limit', async () => {
        await t.jobs.publishJob(job(3));
        let deliveries = 0;
        await t.jobs.consumeJobs(async (_j, ctx) => {
          deliveries += 1;
          await ctx.nack(true);
        });
        const failures: JobFailure[] = [];
        await t.jobs.consumeFailures(async (f) => void failures.push(f));
        await waitFor(() => failures.length === 1, 10_000, 'the failure');
        expect(deliveries).toBe(CONFORMANCE_JOB_ATTEMPTS);
        expect(failures[0]).toMatchObject({ reason: 'delivery_limit', job: { type: 'train.job', clientId: 3 } });
        expect(failures[0]?.queue).toMatch(/jobs$/);
        // People keep their own copy in the dead queue.
        const [dead] = await deadLettersUntil(1);
        expect(JSON.parse(dead ?? '')).toMatchObject({ clientId: 3 });
      });

      it('when consumers holding a job go away as often as the limit allows (crashed workers), then the job fails with delivery_limit', async () => {
        await t.jobs.publishJob(job(6));
        const failures: JobFailure[] = [];
        await t.jobs.consumeFailures(async (f) => void failures.push(f));
        for (let attempt = 1; attempt <= CONFORMANCE_JOB_ATTEMPTS; attempt += 1) {
          const held = await collectJobs(1, 'hold');
          await waitFor(() => held.seen.length === 1, 5_000, `delivery ${attempt}`);
          expect(held.seen[0]?.redelivered).toBe(attempt > 1);
          await held.sub.cancel();
        }
        await waitFor(() => failures.length === 1, 10_000, 'the failure');
        expect(failures[0]).toMatchObject({ reason: 'delivery_limit', job: { clientId: 6 } });
        expect(await t.jobs.depth()).toBe(0);
      });

      it('when a worker rejects a valid job and a malformed one dies too, then the feed reports only the valid job, as rejected', async () => {
        await t.publishRaw('jobs', utf8('not json'));
        await t.jobs.publishJob(job(8));
        await t.jobs.consumeJobs(async (_j, ctx) => ctx.nack(false));
        const failures: JobFailure[] = [];
        await t.jobs.consumeFailures(async (f) => void failures.push(f));
        await deadLettersUntil(2);
        await waitFor(() => failures.length === 1, 5_000, 'the failure');
        await sleep(100);
        expect(failures.map((f) => [f.job.clientId, f.reason])).toEqual([[8, 'rejected']]);
      });

      it('when the failure handler throws, then the failure is handed over again', async () => {
        await t.jobs.publishJob(job(2));
        await t.jobs.consumeJobs(async (_j, ctx) => ctx.nack(false));
        let calls = 0;
        await t.jobs.consumeFailures(async () => {
          calls += 1;
          if (calls === 1) throw new Error('store unavailable');
        });
        await waitFor(() => calls === 2, 5_000, 'second attempt');
      });

      it('when publishing an invalid job, then it throws naming the field and queues nothing', async () => {
        await expect(t.jobs.publishJob({ ...job(0), round: 0 })).rejects.toThrow('round: must be between 1 and 10000 (got 0)');
        expect(await t.jobs.depth()).toBe(0);
      });
    });

    describe('event bus', () => {
      const roundStart = (round: number) => ({ type: 'round.start', version: 1, runId: 'run-1', round }) as const;
      const closed = {
        type: 'round.closed',
        version: 1,
        runId: 'run-1',
        round: 1,
        outcome: 'deadline',
        accepted: 1,
        rejected: 0,
        globalVersion: 1,
        durationMs: 5,
      } as const;

      it('when a command is published before anyone subscribes, then the durable queue keeps it', async () => {
        await t.bus.publish(roundStart(1));
        await t.bus.publish(roundStart(2));
        const got: Message[] = [];
        await t.bus.subscribe('control', async (m) => void got.push(m));
        await waitFor(() => got.length === 2, 5_000, 'commands');
        expect(got.map((m) => m.type === 'round.start' && m.round)).toEqual([1, 2]);
      });

      it('when two subscribers share the updates queue, then each update is handled exactly once', async () => {
        const got: number[] = [];
        const handler = async (m: Message) => void got.push(m.type === 'update.ready' ? m.clientId : -1);
        await t.bus.subscribe('updates', handler);
        await t.bus.subscribe('updates', handler);
        for (let c = 0; c < 6; c++) {
          await t.bus.publish({
            type: 'update.ready',
            version: 1,
            runId: 'run-1',
            round: 1,
            clientId: c,
            globalVersion: 0,
            updateKey: `u${c}`,
            samples: 10,
            trainSeconds: 1,
            loss: { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 },
            workerId: 'w',
          });
        }
        await waitFor(() => got.length === 6, 5_000, 'six updates');
        await sleep(50);
        expect([...got].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it('when an event is published, then every events subscriber gets a copy', async () => {
        const a: Message[] = [];
        const b: Message[] = [];
        await t.bus.subscribe('events', async (m) => void a.push(m));
        await t.bus.subscribe('events', async (m) => void b.push(m));
        await t.bus.publish(closed);
        await waitFor(() => a.length === 1 && b.length === 1, 5_000, 'both copies');
        expect(a[0]).toEqual({ ...closed, rejectedByReason: {} });
        expect(b[0]).toEqual(a[0]);
      });

      it('when a handler throws, then the message is retried; on PoisonMessageError it is dead-lettered', async () => {
        const attempts: Array<[number, boolean]> = [];
        await t.bus.subscribe('control', async (m, d) => {
          if (m.type !== 'round.start') return;
          attempts.push([m.round, d.redelivered]);
          if (m.round === 1 && !d.redelivered) throw new Error('transient');
          if (m.round === 2) throw new PoisonMessageError('unknown run');
        });
        await t.bus.publish(roundStart(1));
        await t.bus.publish(roundStart(2));
        const dead = await deadLettersUntil(1);
        await waitFor(() => attempts.length === 3, 5_000, 'three attempts');
        expect(attempts).toContainEqual([1, false]);
        expect(attempts).toContainEqual([1, true]);
        expect(JSON.parse(dead[0] ?? '')).toMatchObject({ type: 'round.start', round: 2 });
      });

      it('when garbage or a message of another channel reaches control, then it is dead-lettered', async () => {
        const got: Message[] = [];
        await t.bus.subscribe('control', async (m) => void got.push(m));
        await t.publishRaw('control', new Uint8Array([0xff, 0x00, 0x13]));
        await t.publishRaw('control', utf8(JSON.stringify(job(1))));
        await t.bus.publish(roundStart(3));
        await waitFor(() => got.length === 1, 5_000, 'the valid command');
        expect(await deadLettersUntil(2)).toHaveLength(2);
        expect(got[0]).toMatchObject({ type: 'round.start', round: 3 });
      });
    });

    it('when an invalid event reaches a subscriber, then it is dropped, not dead-lettered, and later events still arrive', async () => {
      // Event queues have no dead-letter exchange: declaring one would need write permission on the
      // dead-letter fanout, which would let the api forge job failures (libs/federation service users).
      const got: Message[] = [];
      await t.bus.subscribe('events', async (m) => void got.push(m));
      await t.publishRaw('events', utf8('{"type":"round.closed","version":1,"runId":"run-1"}'));
      await t.bus.publish({ type: 'run.finished', version: 1, runId: 'run-1', roundsCompleted: 1, globalVersion: 1 });
      await waitFor(() => got.length === 1, 5_000, 'the valid event');
      expect(got[0]?.type).toBe('run.finished');
      await sleep(200);
      expect(await t.drainDeadLetters()).toEqual([]);
      expect(got).toHaveLength(1);
    });

    describe('blob store', () => {
      it('when bytes are stored, then the same bytes come back; a missing key gives null', async () => {
        const bytes = new Uint8Array(4099).map((_, i) => (i * 37) & 0xff);
        expect(await t.blobs.putBlob('m:v0', bytes)).toBe(true);
        const back = await t.blobs.getBlob('m:v0');
        expect(back).toBeInstanceOf(Uint8Array);
        expect(Array.from(back ?? [])).toEqual(Array.from(bytes));
        expect(await t.blobs.getBlob('m:v1')).toBeNull();
      });

      it('when an update is written twice with nx, then the second write returns false and changes nothing', async () => {
        expect(await t.blobs.putBlob('u:1:3', utf8('first'), { nx: true })).toBe(true);
        expect(await t.blobs.putBlob('u:1:3', utf8('second'), { nx: true, ttlSeconds: 60 })).toBe(false);
        expect(text((await t.blobs.getBlob('u:1:3')) ?? new Uint8Array())).toBe('first');
      });

      it('when a TTL passes, then the blob is gone; expire and delete report what existed', async () => {
        await t.blobs.putBlob('short', utf8('x'), { ttlSeconds: 1 });
        await t.blobs.putBlob('later', utf8('y'));
        expect(await t.blobs.expire('later', 1)).toBe(true);
        expect(await t.blobs.expire('missing', 1)).toBe(false);
        await t.blobs.putBlob('keep', utf8('z'));
        await sleep(1_100);
        expect(await t.blobs.getBlob('short')).toBeNull();
        expect(await t.blobs.getBlob('later')).toBeNull();
        expect(await t.blobs.delete(['keep', 'short', 'missing'])).toBe(1);
        expect(await t.blobs.getBlob('keep')).toBeNull();
        expect(await t.blobs.delete([])).toBe(0);
      });

      it('when ttlSeconds is not a positive integer, then it throws naming it', async () => {
        await expect(t.blobs.putBlob('k', utf8('x'), { ttlSeconds: 0 })).rejects.toThrow('ttlSeconds must be a positive integer (got 0)');
      });
    });

    describe('state store', () => {
      it('when JSON is stored, then it reads back equal; nx refuses to overwrite', async () => {
        const value = { round: 2, selected: [0, 3], nested: { ok: true, name: 'x' } };
        expect(await t.state.setJson('run:r1', value)).toBe(true);
        expect(await t.state.getJson('run:r1')).toEqual(value);
        expect(await t.state.setJson('run:r1', { round: 9 }, { nx: true })).toBe(false);
        expect(await t.state.getJson('run:r1')).toEqual(value);
        expect(await t.state.getJson('run:none')).toBeNull();
      });

      it('when 20 updates race on one key, then none is lost', async () => {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            t.state.updateJson<{ n: number; ids: number[] }>('counter', (cur) => ({ n: (cur?.n ?? 0) + 1, ids: [...(cur?.ids ?? []), i] })),
          ),
        );
        const final = await t.state.getJson<{ n: number; ids: number[] }>('counter');
        expect(final?.n).toBe(20);
        expect([...(final?.ids ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      });

      it('when the update function returns undefined, then nothing is written', async () => {
        expect(await t.state.updateJson('absent', () => undefined)).toBeNull();
        expect(await t.state.getJson('absent')).toBeNull();
        await t.state.setJson('present', { a: 1 });
        expect(await t.state.updateJson<{ a: number }>('present', () => undefined)).toEqual({ a: 1 });
      });

      it('when a guarded commit sees the expected seq, then every write and the row land together; a stale seq writes nothing', async () => {
        expect(await t.state.commitGuarded({ key: 'run:g', seq: -1 }, [{ key: 'run:g', value: { seq: 1, a: 1 } }])).toBe(true);
        expect(await t.state.commitGuarded({ key: 'run:g', seq: -1 }, [{ key: 'run:g', value: { seq: 9 } }])).toBe(false);
        const ok = await t.state.commitGuarded(
          { key: 'run:g', seq: 1 },
          [
            { key: 'run:g', value: { seq: 2, a: 2 } },
            { key: 'run:g:round', value: { r: 1 } },
          ],
          { runId: 'g', row: { round: 1 } },
        );
        expect(ok).toBe(true);
        const stale = await t.state.commitGuarded({ key: 'run:g', seq: 1 }, [{ key: 'run:g:round', value: { r: 2 } }], {
          runId: 'g',
          row: { round: 2 },
        });
        expect(stale).toBe(false);
        expect(await t.state.getJson('run:g')).toEqual({ seq: 2, a: 2 });
        expect(await t.state.getJson('run:g:round')).toEqual({ r: 1 });
        expect(await t.state.listMetrics('g')).toEqual([{ round: 1 }]);
        // An object without a seq field counts as seq 0.
        await t.state.setJson('run:h', { a: 1 });
        expect(await t.state.commitGuarded({ key: 'run:h', seq: 0 }, [{ key: 'run:h', value: { seq: 1 } }])).toBe(true);
      });

      it('when 10 guarded commits race from the same seq, then exactly one wins', async () => {
        await t.state.setJson('run:race', { seq: 5 });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.state.commitGuarded({ key: 'run:race', seq: 5 }, [{ key: 'run:race', value: { seq: 6, by: i } }]),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await t.state.getJson<{ seq: number }>('run:race')).toMatchObject({ seq: 6 });
      });

      it('when metrics rows are appended, then they list oldest first per run', async () => {
        await t.state.appendMetrics('run-a', { round: 1, knn: 0.2 });
        await t.state.appendMetrics('run-b', { round: 1, knn: 0.9 });
        await t.state.appendMetrics('run-a', { round: 2, knn: 0.3 });
        expect(await t.state.listMetrics('run-a')).toEqual([
          { round: 1, knn: 0.2 },
          { round: 2, knn: 0.3 },
        ]);
        expect(await t.state.listMetrics('run-c')).toEqual([]);
      });

      it('when members are added to a set, then re-adding reports false and listing is sorted', async () => {
        expect(await t.state.addToSet('runs', 'run-b')).toBe(true);
        expect(await t.state.addToSet('runs', 'run-a')).toBe(true);
        expect(await t.state.addToSet('runs', 'run-b')).toBe(false);
        expect(await t.state.listSet('runs')).toEqual(['run-a', 'run-b']);
        expect(await t.state.listSet('none')).toEqual([]);
      });

      it('when keys are deleted, then they are gone, and ping answers', async () => {
        await t.state.setJson('x', 1);
        await t.state.addToSet('s', 'm');
        expect(await t.state.delete(['x', 's', 'nope'])).toBe(2);
        expect(await t.state.getJson('x')).toBeNull();
        await expect(t.state.ping()).resolves.toBeUndefined();
      });

      it('when a value cannot be stored as JSON, then it throws', async () => {
        await expect(t.state.setJson('bad', undefined)).rejects.toThrow('not JSON-serialisable');
      });
    });
  });
}
