import { beforeAll, describe, expect, it } from 'vitest';
import { prepareRun } from '@fedssd/engine';
import { addWeights, createExactFedAvg } from '@fedssd/fedavg';
import { updateKey } from '@fedssd/protocol';
import { decodeWeights, encodeWeights, initBackend } from '@fedssd/tensor';
import { createHarness, fakeDelta, loadTinyData, runStart, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';

describe('aggregator: what is validated is what is folded', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('when an accepted update blob is swapped after validation, then the fold on arrival already holds the validated bytes', async () => {
    const h = createHarness();
    const config = tinyConfig({ minClients: 2, graceMs: 5_000, rounds: 1 });
    const agg = h.make();
    await agg.handle(runStart('pin0', config));
    const jobs = await takeJobs(h.transport);
    await agg.handle(await writeUpdate(h, jobs[0]!));
    await agg.handle(await writeUpdate(h, jobs[2]!));
    const global = decodeWeights((await h.runs.getModel('pin0', 0))!);
    const evil = fakeDelta(global, 0).map((w) => ({ ...w, values: w.values.map(() => 1e6) }));
    await h.transport.blobs.putBlob(updateKey('pin0', 1, 0), encodeWeights(evil));
    h.clock.advance(5_000);
    await new Promise((r) => setTimeout(r, 50));
    const round = await h.runs.getRound('pin0', 1);
    expect(round).toMatchObject({ status: 'closed', outcome: 'min-clients', globalVersion: 1 });
    expect(round!.accepted.map((a) => a.clientId)).toEqual([0, 2]);
    const counts = prepareRun(config, await loadTinyData(config, 'train', config.trainLimit)).shards.map((s) => s.count);
    const fold = createExactFedAvg(global);
    for (const c of [0, 2]) fold.add(fakeDelta(global, c), counts[c]!);
    const expected = encodeWeights(addWeights(global, fold.result()));
    expect(Buffer.from((await h.runs.getModel('pin0', 1))!).equals(Buffer.from(expected))).toBe(true);
    await agg.close();
  });

  it('when an accepted update blob is swapped before a restarted aggregator re-folds it, then it is left out as tampered', async () => {
    const h = createHarness();
    const config = tinyConfig({ minClients: 2, graceMs: 5_000, rounds: 1 });
    const first = h.make();
    await first.handle(runStart('pin', config));
    const jobs = await takeJobs(h.transport);
    await first.handle(await writeUpdate(h, jobs[0]!));
    await first.handle(await writeUpdate(h, jobs[2]!));
    // The first aggregator's in-memory fold dies with it; the next one folds from the blobs.
    await first.close();
    const agg = h.make();
    await agg.start();
    const global = decodeWeights((await h.runs.getModel('pin', 0))!);
    // Another party overwrites client 0's validated blob with a huge (but well-formed) delta.
    const evil = fakeDelta(global, 0).map((w) => ({ ...w, values: w.values.map(() => 1e6) }));
    await h.transport.blobs.putBlob(updateKey('pin', 1, 0), encodeWeights(evil));
    h.clock.advance(5_000);
    await new Promise((r) => setTimeout(r, 50));
    const round = await h.runs.getRound('pin', 1);
    expect(round).toMatchObject({ status: 'closed', outcome: 'min-clients', globalVersion: 1 });
    expect(round!.accepted.map((a) => a.clientId)).toEqual([2]);
    expect(round!.rejected).toEqual([expect.objectContaining({ clientId: 0, reason: 'tampered' })]);
    const counts = prepareRun(config, await loadTinyData(config, 'train', config.trainLimit)).shards.map((s) => s.count);
    const fold = createExactFedAvg(global);
    fold.add(fakeDelta(global, 2), counts[2]!);
    const expected = encodeWeights(addWeights(global, fold.result()));
    expect(Buffer.from((await h.runs.getModel('pin', 1))!).equals(Buffer.from(expected))).toBe(true);
    const text = await h.metrics.registry.metrics();
    expect(text).toContain('fedssd_updates_rejected_total{reason="tampered"} 1');
    await agg.close();
  });
});
