import { beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_VERSION, ROUND_OUTCOMES, updateKey, type Message } from '@fedssd/protocol';
import { UPDATE_REJECT_REASONS } from '../src/index.js';
import { decodeWeights, initBackend } from '@fedssd/tensor';
import { createHarness, fakeDelta, runStart, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';

describe('aggregator update validation', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('when updates are unselected, NaN, mis-shaped, duplicate, stale, mislabelled or for an unknown run, then each is rejected with its reason, counted, and only good ones fold', async () => {
    const h = createHarness();
    const agg = h.make();
    // participation 2/3 of 3 clients: one client is left out of round 1.
    await agg.handle(runStart('rj', tinyConfig({ participation: 0.67, rounds: 1 })));
    const jobs = await takeJobs(h.transport);
    expect(jobs).toHaveLength(2);
    const [first, second] = jobs as [(typeof jobs)[0], (typeof jobs)[0]];
    const outsider = [0, 1, 2].find((id) => !jobs.some((j) => j.clientId === id))!;
    const global = decodeWeights((await h.runs.getModel('rj', 0))!);

    await agg.handle(await writeUpdate(h, { ...first, clientId: outsider }));
    const nan = fakeDelta(global, second.clientId);
    nan[0]!.values[3] = Number.NaN;
    await agg.handle(await writeUpdate(h, second, nan));
    // The NaN blob is stored under the client's key: a correct retry must use a fresh key, so clear it.
    await h.transport.blobs.delete([updateKey('rj', 1, second.clientId)]);
    const wrongShape = fakeDelta(global, second.clientId).map((w, i) =>
      i === 0 ? { ...w, shape: [w.values.length - 1], values: w.values.subarray(1) } : w,
    );
    await agg.handle(await writeUpdate(h, second, wrongShape));
    await h.transport.blobs.delete([updateKey('rj', 1, second.clientId)]);
    await agg.handle(await writeUpdate(h, first, undefined, { globalVersion: 3 }));
    await agg.handle(await writeUpdate(h, first, undefined, { samples: 1 }));
    await agg.handle({ ...(await writeUpdate(h, first)), runId: 'nope' } as Message);
    await h.transport.blobs.putBlob(updateKey('rj', 1, second.clientId), new Uint8Array([1, 2, 3]));
    await agg.handle(await writeUpdate(h, second)); // NX keeps the garbage bytes: corrupt
    await h.transport.blobs.delete([updateKey('rj', 1, second.clientId)]);
    await agg.handle(await writeUpdate(h, first, undefined, { round: 2 }));
    await agg.handle(await writeUpdate(h, first));
    await agg.handle(await writeUpdate(h, first));

    const round = (await h.runs.getRound('rj', 1))!;
    expect(round.accepted.map((a) => a.clientId)).toEqual([first.clientId]);
    expect(round.status).toBe('collecting');
    expect(round.rejected.map((r) => r.reason)).toEqual([
      'unselected',
      'non-finite',
      'shape-mismatch',
      'stale',
      'bad-samples',
      'corrupt',
      'duplicate',
    ]); // round 2 has no record to note its stale update in
    expect(round.rejected[1]!.message).toMatch(/NaN/);
    const text = await h.metrics.registry.metrics();
    for (const reason of ['unselected', 'non-finite', 'shape-mismatch', 'bad-samples', 'corrupt', 'duplicate', 'unknown-run']) {
      expect(text).toContain(`fedssd_updates_rejected_total{reason="${reason}"} 1`);
    }
    expect(text).toContain('fedssd_updates_rejected_total{reason="stale"} 2');

    await agg.handle(await writeUpdate(h, second));
    expect(await h.runs.getRound('rj', 1)).toMatchObject({ status: 'closed', outcome: 'all-reported', globalVersion: 1 });
    await agg.close();
  });

  it('when the aggregator is created, then every rejection reason, round outcome, job-failure reason and ownership event is exported at 0', async () => {
    const h = createHarness();
    const agg = h.make();
    const text = await h.metrics.registry.metrics();
    for (const reason of UPDATE_REJECT_REASONS) expect(text).toContain(`fedssd_updates_rejected_total{reason="${reason}"} 0`);
    for (const outcome of ROUND_OUTCOMES) expect(text).toContain(`fedssd_rounds_total{outcome="${outcome}"} 0`);
    for (const reason of ['delivery_limit', 'rejected']) expect(text).toContain(`fedssd_job_failures_total{reason="${reason}"} 0`);
    for (const event of ['acquired', 'released', 'lost', 'refused', 'forwarded'])
      expect(text).toContain(`fedssd_run_ownership_total{event="${event}"} 0`);
    expect(UPDATE_REJECT_REASONS).toHaveLength(17);
    await agg.close();
  });

  it('when maxUpdateL2Norm is set, then an update above it is rejected as norm-exceeded', async () => {
    const h = createHarness();
    const agg = h.make();
    await agg.handle(runStart('rn', tinyConfig({ maxUpdateL2Norm: 1e-6, rounds: 1 })));
    const [job] = await takeJobs(h.transport);
    await agg.handle(await writeUpdate(h, job!));
    expect((await h.runs.getRound('rn', 1))!.rejected).toEqual([
      expect.objectContaining({ reason: 'norm-exceeded', clientId: job!.clientId }),
    ]);
    await agg.close();
  });

  it('when a malformed update arrives on the updates queue, then the transport dead-letters it and the aggregator keeps going', async () => {
    const h = createHarness();
    const agg = h.make();
    await agg.start();
    h.transport.broker.publishRaw('updates', new TextEncoder().encode('{"type":"update.ready","version":1,"runId":"x"}'));
    await h.transport.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rm', config: tinyConfig({ rounds: 1 }) });
    for (let i = 0; i < 200 && (await h.runs.getRun('rm'))?.status !== 'running'; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(h.transport.broker.deadLetters).toHaveLength(1);
    expect((await h.runs.getRun('rm'))!.status).toBe('running');
    await agg.close();
  });
});
