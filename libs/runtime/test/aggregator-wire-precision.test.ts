import { beforeAll, describe, expect, it } from 'vitest';
import { addWeights, createExactFedAvg } from '@fedssd/fedavg';
import { decodeWeights, encodeWeights, initBackend } from '@fedssd/tensor';
import { createHarness, fakeDelta, runStart, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';

describe('aggregator: wire precision', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('when a run takes int8, then int8 updates fold as decoded and an fp32 blob is rejected as corrupt naming wirePrecision', async () => {
    const h = createHarness();
    const config = tinyConfig({ wirePrecision: 'int8', rounds: 1 });
    const agg = h.make();
    await agg.handle(runStart('wp', config));
    const jobs = await takeJobs(h.transport);
    await agg.handle(await writeUpdate(h, jobs[0]!, undefined, { dtype: 'fp32' }));
    let round = (await h.runs.getRound('wp', 1))!;
    expect(round.accepted).toHaveLength(0);
    expect(round.rejected).toEqual([
      expect.objectContaining({ clientId: 0, reason: 'corrupt', message: 'update is encoded as fp32; run wp takes int8 (wirePrecision)' }),
    ]);
    // The trainer's retry writes the right encoding (the NX key is free again once deleted).
    await h.transport.blobs.delete([jobs[0]!.modelKey.replace(/model:v0$/, 'round:1:update:0')]);
    for (const job of jobs) await agg.handle(await writeUpdate(h, job));
    round = (await h.runs.getRound('wp', 1))!;
    expect(round).toMatchObject({ status: 'closed', globalVersion: 1 });
    const global = decodeWeights((await h.runs.getModel('wp', 0))!);
    const fold = createExactFedAvg(global);
    for (const u of round.accepted) fold.add(decodeWeights(encodeWeights(fakeDelta(global, u.clientId), { dtype: 'int8' })), u.samples);
    const expected = Buffer.from(encodeWeights(addWeights(global, fold.result())));
    expect(Buffer.from((await h.runs.getModel('wp', 1))!).equals(expected)).toBe(true);
    await agg.close();
  });
});
