import { beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_VERSION, runKey, type RunRecord } from '@fedssd/protocol';
import { initBackend } from '@fedssd/tensor';
import { createRunRepository, guardRunRepository } from '@fedssd/transport';
import { systemClock } from '../src/index.js';
import { createInMemoryTransport } from '@fedssd/transport';
import { createHarness, settle, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';
import { severableStore, timerLeaseKeeper, until } from './replica-helpers.js';

const RETRY_MS = 1_000;

/**
 * A Redis that lost acknowledged writes (failover to a lagging replica) hands the aggregator an
 * older run record. The aggregator must neither act on it nor let the broker dead-letter the
 * inputs that arrive meanwhile: each one is held, unacked, and applied once the state is restored.
 */
describe('aggregator on a rolled-back run record', () => {
  beforeAll(() => initBackend('cpu'));

  it('when an update arrives while the state is rolled back, then it is held (not thrown) and applied once the newest state is back', async () => {
    const h = createHarness();
    const runs = guardRunRepository(createRunRepository(h.transport.state, h.transport.blobs));
    const agg = h.make({ runs, options: { closeRetryMs: RETRY_MS } });
    await agg.start();
    await agg.handle({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rb', config: tinyConfig({ rounds: 2 }) });
    const key = runKey('rb');
    for (let i = 0; i < 500 && (await runs.getRun('rb'))?.roundStatus !== 'collecting'; i += 1) await new Promise((r) => setTimeout(r, 10));
    const older = await h.transport.state.getJson<RunRecord>(key);
    expect(older?.roundStatus).toBe('collecting');

    // Round 1 is collecting: the first update lands normally and raises the record's seq.
    const jobs = await takeJobs(h.transport);
    await agg.handle((await writeUpdate(h, jobs[0]!)) as never);
    const newest = await h.transport.state.getJson<RunRecord>(key);
    expect(newest!.seq!).toBeGreaterThan(older!.seq!);

    // Writes lost: the older record is back. The next update must wait, not fail.
    await h.transport.state.setJson(key, older);
    let outcome: 'pending' | 'done' | Error = 'pending';
    const second = agg.handle((await writeUpdate(h, jobs[1]!)) as never).then(
      () => (outcome = 'done'),
      (error: unknown) => (outcome = error as Error),
    );
    await settle(20);
    expect(outcome).toBe('pending');
    h.clock.advance(RETRY_MS);
    await settle(20);
    expect(outcome).toBe('pending');
    expect(await h.transport.state.getJson(key)).toEqual(older); // nothing written over it

    // The operator restores the newest record: the held update is applied at the next retry.
    await h.transport.state.setJson(key, newest);
    h.clock.advance(RETRY_MS);
    await second;
    expect(outcome).toBe('done');
    expect((await runs.getRound('rb', 1))!.accepted.map((u) => u.clientId)).toEqual([jobs[0]!.clientId, jobs[1]!.clientId]);
    await agg.close();
  });

  it('when an update arrives while the state is rolled back under leased ownership, then it is parked in the run inbox (acked) and applied once the state is restored', async () => {
    const h = createHarness(createInMemoryTransport(), systemClock);
    const runs = guardRunRepository(createRunRepository(h.transport.state, h.transport.blobs));
    const store = severableStore(h.transport.ownership);
    const keeper = timerLeaseKeeper(store, 'a', 5_000);
    const agg = h.make({ runs, replicas: { store, keeper, replicaId: 'a', leaseMs: 5_000, scanMs: 50, inboxPollMs: 20 } });
    await agg.start();
    await agg.handle({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rp', config: tinyConfig({ rounds: 2 }) });
    await until('round 1 collecting', async () => (await runs.getRun('rp'))?.roundStatus === 'collecting');
    const key = runKey('rp');
    const older = await h.transport.state.getJson<RunRecord>(key);
    const jobs = await takeJobs(h.transport);
    await agg.handle((await writeUpdate(h, jobs[0]!)) as never);
    const newest = await h.transport.state.getJson<RunRecord>(key);

    await h.transport.state.setJson(key, older);
    // Resolves (the broker would get its ack): the update waits in the run's inbox, not on the queue.
    await agg.handle((await writeUpdate(h, jobs[1]!)) as never);
    const parked = /fedssd_run_ownership_total\{event="parked"\} (\d+)/.exec(await h.metrics.registry.metrics());
    expect(Number(parked?.[1] ?? 0)).toBe(1);
    await new Promise((r) => setTimeout(r, 200)); // ten inbox polls: still refused, nothing written
    expect(await h.transport.state.getJson(key)).toEqual(older);

    await h.transport.state.setJson(key, newest);
    await until('the parked update applied', async () => (await h.runs.getRound('rp', 1))!.accepted.length === 2);
    expect((await h.runs.getRound('rp', 1))!.accepted.map((u) => u.clientId)).toEqual([jobs[0]!.clientId, jobs[1]!.clientId]);
    await agg.close();
    await keeper.close();
  });
});
