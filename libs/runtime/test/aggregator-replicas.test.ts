import { addWeights, createExactFedAvg } from '@fedssd/fedavg';
import { MESSAGE_VERSION, type Message, type TrainJob } from '@fedssd/protocol';
import { decodeWeights, encodeWeights, initBackend } from '@fedssd/tensor';
import { createInMemoryTransport } from '@fedssd/transport';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/index.js';
import { createHarness, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';
import { severableStore, timerLeaseKeeper, until } from './replica-helpers.js';

const LEASE_MS = 300;
type Harness = ReturnType<typeof createHarness<typeof systemClock>>;

/** A replica over the harness's shared fakes, with its own view of the ownership store and its own keeper. */
function replica(h: Harness, name: string) {
  const store = severableStore(h.transport.ownership);
  const keeper = timerLeaseKeeper(store, name, LEASE_MS);
  const agg = h.make({ replicas: { store, keeper, replicaId: name, leaseMs: LEASE_MS, scanMs: 50, inboxPollMs: 20 } });
  return { name, agg, store, keeper };
}

/** An ownership counter of the harness's metrics registry (shared by the replicas of one test). */
const counter = async (h: Harness, event: string) => {
  const m = new RegExp(`^fedssd_run_ownership_total\\{event="${event}"\\} (\\d+)`, 'm').exec(await h.metrics.registry.metrics());
  return Number(m?.[1] ?? 0);
};

async function collecting(h: Harness, runId: string, round: number): Promise<TrainJob[]> {
  await until(`round ${round} collecting`, async () => (await h.runs.getRound(runId, round))?.status === 'collecting');
  return takeJobs(h.transport);
}

async function publishUpdate(h: Harness, job: TrainJob): Promise<void> {
  await h.transport.bus.publish((await writeUpdate(h, job)) as never);
}

/** The final model of a two-round run driven by one aggregator without leases: what every replica setup must reproduce. */
async function reference(): Promise<Buffer> {
  const h = createHarness(createInMemoryTransport(), systemClock);
  const agg = h.make();
  await agg.start();
  await h.transport.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rr', config: tinyConfig({ rounds: 2 }) });
  for (const round of [1, 2]) {
    for (const job of await collecting(h, 'rr', round)) await publishUpdate(h, job);
    await until(`round ${round} closed`, async () => (await h.runs.getRound('rr', round))?.status === 'closed');
  }
  await until('finished', async () => (await h.runs.getRun('rr'))?.status === 'finished');
  await agg.close();
  return Buffer.from((await h.runs.getModel('rr', 2))!);
}

describe('aggregator replicas over the fakes', () => {
  let expected: Buffer;
  beforeAll(async () => {
    await initBackend('cpu');
    expected = await reference();
  });

  it('when the owning replica dies mid-collection without releasing, then the other takes the run over after the lease and the model is unchanged', async () => {
    const h = createHarness(createInMemoryTransport(), systemClock);
    const replicas = [replica(h, 'a'), replica(h, 'b')];
    for (const r of replicas) await r.agg.start();
    await h.transport.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rr', config: tinyConfig({ rounds: 2 }) });
    for (const job of await collecting(h, 'rr', 1)) await publishUpdate(h, job);
    const jobs = await collecting(h, 'rr', 2);
    await publishUpdate(h, jobs[0]!);
    await until('one round-2 update accepted', async () => (await h.runs.getRound('rr', 2))!.accepted.length === 1);
    // On a loaded machine a 300 ms lease can lapse between renewals (training blocks the event
    // loop); the scan then hands the run to a replica again. Kill whichever holds it.
    let seen = await h.transport.ownership.holder('rr');
    await until('a replica holds the run', async () => (seen = await h.transport.ownership.holder('rr')) !== null);
    const holder = seen;
    if (holder === null) throw new Error('unreachable: until() returned without a holder');
    const dead = replicas.find((r) => r.name === holder.owner)!;
    const survivor = replicas.find((r) => r !== dead)!;
    const killedAt = Date.now();
    dead.store.cut();
    await dead.agg.close(); // cannot release: its leases lapse
    await until('the survivor owns the run', async () => (await h.transport.ownership.holder('rr'))?.owner === survivor.name);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 2_000);
    expect((await h.transport.ownership.holder('rr'))?.token).toBe(holder.token + 1);
    for (const job of jobs.slice(1)) await publishUpdate(h, job);
    await until('finished', async () => (await h.runs.getRun('rr'))?.status === 'finished');
    expect(Buffer.from((await h.runs.getModel('rr', 2))!).equals(expected), 'final model bytes').toBe(true);
    expect((await h.runs.getRound('rr', 2))!.accepted.map((a) => a.clientId).sort()).toEqual([0, 1, 2]);
    expect(await counter(h, 'forwarded'), 'updates that reached the non-owner went through the inbox').toBeGreaterThan(0);
    expect(await h.transport.ownership.holder('rr'), 'the finished run is released').toBeNull();
    expect(await h.transport.ownership.orphans()).toEqual([]);
    await survivor.agg.close();
  });

  it("when a paused owner's lease lapses and the other replica takes over, then the former owner's write is refused and its input reaches the new owner", async () => {
    const h = createHarness(createInMemoryTransport(), systemClock);
    const a = replica(h, 'a');
    await a.agg.start();
    await h.transport.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rr', config: tinyConfig({ rounds: 2 }) });
    const jobs = await collecting(h, 'rr', 1);
    expect((await h.transport.ownership.holder('rr'))?.owner).toBe('a');
    const b = replica(h, 'b');
    await b.agg.start();
    a.keeper.freeze(); // paused: no renewals, but the replica still thinks the run is its own
    await until('b took the run over', async () => (await h.transport.ownership.holder('rr'))?.owner === 'b');
    const before = (await h.runs.getRun('rr'))!.seq;
    // The stale replica handles an update (e.g. one it had already taken off the queue).
    await a.agg.handle((await writeUpdate(h, jobs[0]!)) as Message);
    expect(await counter(h, 'refused'), "a's commit refused by the fence").toBe(1);
    expect(await counter(h, 'lost')).toBeGreaterThanOrEqual(1);
    await until('b accepted the forwarded update', async () => (await h.runs.getRound('rr', 1))!.accepted.length === 1);
    expect((await h.runs.getRun('rr'))!.seq, 'only b wrote').toBe((before ?? 0) + 1);
    for (const job of jobs.slice(1)) await publishUpdate(h, job);
    for (const job of await collecting(h, 'rr', 2)) await publishUpdate(h, job);
    await until('finished', async () => (await h.runs.getRun('rr'))?.status === 'finished');
    expect(Buffer.from((await h.runs.getModel('rr', 2))!).equals(expected), 'final model bytes').toBe(true);
    await a.agg.close();
    await b.agg.close();
  });
});

describe('failed jobs', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('when a job is handed back as often as the delivery limit allows, then its client fails, the round closes all-settled and folds the others', async () => {
    const h = createHarness(createInMemoryTransport({ jobAttempts: 2 }), systemClock);
    const events: Message[] = [];
    await h.transport.bus.subscribe('events', async (m) => void events.push(m));
    const agg = h.make();
    await agg.start();
    await h.transport.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rf', config: tinyConfig({ rounds: 1 }) });
    let deliveries = 0;
    const worker = await h.transport.jobs.consumeJobs(
      async (job, ctx) => {
        if (job.clientId === 1) {
          deliveries += 1;
          return ctx.nack(true); // a trainer that crashes on this job every time
        }
        await ctx.ack();
        await publishUpdate(h as Harness, job);
      },
      { prefetch: 10 },
    );
    await until('round closed', async () => (await h.runs.getRound('rf', 1))?.status === 'closed');
    await worker.cancel();
    const round = (await h.runs.getRound('rf', 1))!;
    expect(deliveries).toBe(2);
    expect(round).toMatchObject({ outcome: 'all-settled', failed: [{ clientId: 1, reason: 'delivery_limit' }], globalVersion: 1 });
    expect(round.accepted.map((a) => a.clientId).sort()).toEqual([0, 2]);
    expect((await h.runs.listMetrics('rf'))[0]).toMatchObject({ outcome: 'all-settled', participants: [0, 2], failed: [1] });
    await until('round.closed event', async () => events.some((e) => e.type === 'round.closed'));
    expect(events.find((e) => e.type === 'round.closed')).toMatchObject({ outcome: 'all-settled', accepted: 2, failed: 1 });
    expect(await h.metrics.registry.metrics()).toContain('fedssd_job_failures_total{reason="delivery_limit"} 1');
    // v1 = v0 + FedAvg of the two clients that reported, exact fold, any order.
    const v0 = decodeWeights((await h.runs.getModel('rf', 0))!);
    const fold = createExactFedAvg(v0);
    for (const u of [...round.accepted].sort((x, y) => x.clientId - y.clientId))
      fold.add(decodeWeights((await h.transport.blobs.getBlob(u.updateKey))!), u.samples);
    expect(Buffer.from((await h.runs.getModel('rf', 1))!).equals(Buffer.from(encodeWeights(addWeights(v0, fold.result()))))).toBe(true);
    await until('run finished', async () => (await h.runs.getRun('rf'))?.status === 'finished');
    await agg.close();
  });
});
