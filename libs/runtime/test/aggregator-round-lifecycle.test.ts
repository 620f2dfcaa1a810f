import { beforeAll, describe, expect, it, vi } from 'vitest';
import { deriveSeed, prepareRun } from '@fedssd/engine';
import { addWeights, createExactFedAvg, sampleClients } from '@fedssd/fedavg';
import { MESSAGE_VERSION, type Message } from '@fedssd/protocol';
import { createModel } from '@fedssd/ssl';
import { decodeWeights, encodeWeights, initBackend, type Weights } from '@fedssd/tensor';
import { decodeTargets } from '@fedssd/engine';
import { createHarness, fakeDelta, loadTinyData, runStart, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';

const bytesOf = (w: Weights) => Buffer.from(encodeWeights(w));

/** The model the aggregator must produce from `global` and the fake deltas of `clients`. */
async function expectedNext(global: Weights, clients: number[], counts: number[]): Promise<Weights> {
  const fold = createExactFedAvg(global);
  for (const id of [...clients].sort((a, b) => a - b)) fold.add(fakeDelta(global, id), counts[id]!);
  return addWeights(global, fold.result());
}

describe('aggregator round lifecycle (in-memory fakes)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('when a run starts, then v0 is the seeded initial model, the targets blob decodes to prepareRun targets and round 1 publishes one job per sampled client', async () => {
    const h = createHarness();
    const config = tinyConfig({ participation: 0.67 });
    const agg = h.make();
    await agg.handle(runStart('r1', config));
    const prepared = prepareRun(config, await loadTinyData(config, 'train', config.trainLimit));
    const model = createModel(prepared.spec, deriveSeed(config.seed, 'init'));
    expect(Buffer.from((await h.runs.getModel('r1', 0))!).equals(bytesOf(model.getWeights()))).toBe(true);
    model.dispose();
    const targets = decodeTargets((await h.runs.getTargets('r1'))!);
    expect(targets.slices).toEqual(prepared.targets!.slices);
    expect(targets.scale).toBe(prepared.targets!.scale);
    expect(Buffer.from(targets.basis.buffer).equals(Buffer.from(prepared.targets!.basis.buffer))).toBe(true);
    const run = await h.runs.getRun('r1');
    expect(run).toMatchObject({ status: 'running', currentRound: 1, roundStatus: 'collecting', globalVersion: 0 });
    const selected = sampleClients({ clients: 3, participation: 0.67, round: 1, seed: deriveSeed(7, 'sample') });
    expect((await h.runs.getRound('r1', 1))!.selected).toEqual(selected);
    const jobs = await takeJobs(h.transport);
    expect(jobs.map((j) => j.clientId)).toEqual(selected);
    expect(jobs[0]).toMatchObject({ round: 1, globalVersion: 0, attempt: 1, target: { clientId: selected[0] } });
    await agg.handle(runStart('r1', config)); // redelivered: nothing new
    expect(await takeJobs(h.transport)).toHaveLength(0);
    await agg.close();
  });

  it('when every selected client reports, then the round folds exactly (order-independent) into v1, appends one metrics row, and the run finishes after its last round', async () => {
    const h = createHarness();
    const config = tinyConfig();
    const agg = h.make();
    const seen: Message[] = [];
    const sub = await h.transport.bus.subscribe('events', async (m) => void seen.push(m));
    await agg.handle(runStart('r2', config));
    const counts = prepareRun(config, await loadTinyData(config, 'train', config.trainLimit)).shards.map((s) => s.count);
    let global = decodeWeights((await h.runs.getModel('r2', 0))!);
    for (const round of [1, 2]) {
      const jobs = await takeJobs(h.transport);
      expect(jobs.map((j) => j.round)).toEqual([round, round, round]);
      // Deliver in reverse order: the result must not depend on arrival order.
      for (const job of [...jobs].reverse()) await agg.handle(await writeUpdate(h, job));
      const expected = await expectedNext(global, [0, 1, 2], counts);
      const stored = (await h.runs.getModel('r2', round))!;
      expect(Buffer.from(stored).equals(bytesOf(expected))).toBe(true);
      global = expected;
      expect(await h.runs.getRound('r2', round)).toMatchObject({ status: 'closed', outcome: 'all-reported', globalVersion: round });
    }
    expect(await h.runs.getRun('r2')).toMatchObject({ status: 'finished', currentRound: 2, globalVersion: 2, roundStatus: 'closed' });
    const rows = await h.runs.listMetrics('r2');
    expect(rows.map((r) => [r.round, r.globalVersion, r.outcome, r.accepted])).toEqual([
      [1, 1, 'all-reported', 3],
      [2, 2, 'all-reported', 3],
    ]);
    expect(rows[0]!.knnAccuracy).toBe(0.5);
    expect(h.evaluations).toHaveLength(2);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(7));
    expect(seen.map((m) => m.type)).toEqual([
      'round.opened',
      'round.evaluated',
      'round.closed',
      'round.opened',
      'round.evaluated',
      'round.closed',
      'run.finished',
    ]);
    const text = await h.metrics.registry.metrics();
    expect(text).toMatch(/fedssd_rounds_total\{outcome="all-reported"\} 2/);
    expect(text).toMatch(/fedssd_knn_accuracy\{run_id="r2",method="ssd"\} 0.5/);
    await sub.cancel();
    await agg.close();
  });

  it('when nobody reports before the deadline, then the round closes with outcome deadline, the version stays and the next round opens', async () => {
    const h = createHarness();
    const config = tinyConfig({ roundDeadlineMs: 60_000 });
    const agg = h.make();
    await agg.handle(runStart('r3', config));
    await takeJobs(h.transport);
    h.clock.advance(59_999);
    await agg
      .close()
      .then(
        () => undefined,
        () => undefined,
      )
      .catch(() => undefined);
    const agg2 = h.make(); // timers only fire on a live instance; start one and let it find the round
    await agg2.start();
    expect((await h.runs.getRound('r3', 1))!.status).toBe('collecting');
    h.clock.advance(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.runs.getRound('r3', 1)).toMatchObject({ status: 'closed', outcome: 'deadline', globalVersion: 0 });
    expect(await h.runs.getRun('r3')).toMatchObject({ currentRound: 2, globalVersion: 0, roundStatus: 'collecting' });
    expect((await h.runs.listMetrics('r3'))[0]).toMatchObject({ round: 1, outcome: 'deadline', accepted: 0, loss: null });
    await agg2.close();
  });

  it('when minClients reported, then the round closes after graceMs with the updates it has', async () => {
    const h = createHarness();
    const config = tinyConfig({ minClients: 2, graceMs: 5_000, rounds: 1 });
    const agg = h.make();
    await agg.handle(runStart('r4', config));
    const jobs = await takeJobs(h.transport);
    await agg.handle(await writeUpdate(h, jobs[0]!));
    await agg.handle(await writeUpdate(h, jobs[2]!));
    expect((await h.runs.getRound('r4', 1))!.status).toBe('collecting');
    h.clock.advance(5_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.runs.getRound('r4', 1)).toMatchObject({ status: 'closed', outcome: 'min-clients', globalVersion: 1 });
    const counts = prepareRun(config, await loadTinyData(config, 'train', config.trainLimit)).shards.map((s) => s.count);
    const expected = await expectedNext(decodeWeights((await h.runs.getModel('r4', 0))!), [0, 2], counts);
    expect(Buffer.from((await h.runs.getModel('r4', 1))!).equals(bytesOf(expected))).toBe(true);
    // The late client is now a closed-round rejection.
    await agg.handle(await writeUpdate(h, jobs[1]!));
    expect((await h.runs.getRound('r4', 1))!.rejected.map((r) => r.reason)).toEqual(['closed-round']);
    await agg.close();
  });

  it('when the run is stopped mid-collection, then the round closes as stopped without a new version and the run ends stopped', async () => {
    const h = createHarness();
    const agg = h.make();
    await agg.handle(runStart('r5', tinyConfig()));
    const jobs = await takeJobs(h.transport);
    await agg.handle(await writeUpdate(h, jobs[0]!));
    await agg.handle({ type: 'run.stop', version: MESSAGE_VERSION, runId: 'r5' } as Message);
    expect(await h.runs.getRound('r5', 1)).toMatchObject({ status: 'closed', outcome: 'stopped', globalVersion: 0 });
    expect(await h.runs.getRun('r5')).toMatchObject({ status: 'stopped', globalVersion: 0 });
    expect(await h.runs.getModel('r5', 1)).toBeNull();
    await agg.close();
  });

  it('when round.start arrives for the wrong round or while one is open, then it is ignored; for the next round it opens it', async () => {
    const h = createHarness();
    const agg = h.make();
    await agg.handle(runStart('r6', tinyConfig({ autoAdvance: false })));
    expect(await h.runs.getRun('r6')).toMatchObject({ status: 'running', currentRound: 0 });
    const start = (round: number) => ({ type: 'round.start', version: MESSAGE_VERSION, runId: 'r6', round }) as Message;
    await agg.handle(start(2));
    expect((await h.runs.getRun('r6'))!.currentRound).toBe(0);
    await agg.handle(start(1));
    await agg.handle(start(1));
    await agg.handle(start(2));
    expect(await h.runs.getRun('r6')).toMatchObject({ currentRound: 1, roundStatus: 'collecting' });
    expect(await takeJobs(h.transport)).toHaveLength(3);
    await agg.close();
  });
});
