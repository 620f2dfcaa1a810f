import { beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_VERSION } from '@fedssd/protocol';
import { initBackend } from '@fedssd/tensor';
import { createHarness, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';

/** Drives one run to the end with the given harness; `crash(step)` may replace the aggregator. */
async function finalModel(mode: 'no-crash' | 'crash-collecting' | 'crash-aggregating') {
  const h = createHarness();
  let agg = h.make();
  await agg.start();
  await h.transport.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: 'rs', config: tinyConfig({ rounds: 2 }) });
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 500 && !(await check()); i += 1) await new Promise((r) => setTimeout(r, 10));
  };
  for (const round of [1, 2]) {
    await until(async () => (await h.runs.getRound('rs', round))?.status === 'collecting');
    const jobs = await takeJobs(h.transport);
    await h.transport.bus.publish((await writeUpdate(h, jobs[0]!)) as never);
    await until(async () => (await h.runs.getRound('rs', round))!.accepted.length === 1);
    if (mode === 'crash-collecting' && round === 1) {
      await agg.close();
      agg = h.make();
      await agg.start();
    }
    // A redelivered update.ready of the first client must not count twice.
    await h.transport.bus.publish((await writeUpdate(h, jobs[0]!)) as never);
    if (mode === 'crash-aggregating' && round === 2) {
      // The aggregator dies mid-aggregation: every read of a round-2 update after the three
      // validation reads fails, so the fold stops with the round persisted as 'aggregating'.
      const getBlob = h.transport.blobs.getBlob.bind(h.transport.blobs);
      let reads = 0;
      h.transport.blobs.getBlob = async (key: string) => {
        if (key.includes(':round:2:update:') && ++reads > 3) throw new Error('store unavailable (injected)');
        return getBlob(key);
      };
      for (const job of jobs.slice(1)) await h.transport.bus.publish((await writeUpdate(h, job)) as never);
      await until(async () => (await h.runs.getRound('rs', 2))!.accepted.length === 3);
      await until(async () => reads > 3);
      await agg.close();
      expect(await h.runs.getRound('rs', 2)).toMatchObject({ status: 'aggregating' });
      expect((await h.runs.listMetrics('rs')).map((r) => r.round)).toEqual([1]);
      h.transport.blobs.getBlob = getBlob;
      agg = h.make();
      await agg.start();
      continue;
    }
    for (const job of jobs.slice(1)) await h.transport.bus.publish((await writeUpdate(h, job)) as never);
    await until(async () => (await h.runs.getRound('rs', round))!.status === 'closed');
  }
  await until(async () => (await h.runs.getRun('rs'))?.status === 'finished');
  const run = (await h.runs.getRun('rs'))!;
  const rows = await h.runs.listMetrics('rs');
  const round1 = (await h.runs.getRound('rs', 1))!;
  await agg.close();
  return { run, rows, round1, bytes: Buffer.from((await h.runs.getModel('rs', 2))!) };
}

describe('aggregator restart', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('when the aggregator is replaced mid-collection or mid-aggregation, then the new one finishes with the same final model bytes and no double counting', async () => {
    const reference = await finalModel('no-crash');
    const collecting = await finalModel('crash-collecting');
    const aggregating = await finalModel('crash-aggregating');
    expect(reference.run).toMatchObject({ status: 'finished', globalVersion: 2 });
    for (const other of [collecting, aggregating]) {
      expect(other.run).toMatchObject({ status: 'finished', globalVersion: 2 });
      expect(other.bytes.equals(reference.bytes)).toBe(true);
      expect(other.rows.map((r) => r.round)).toEqual([1, 2]);
    }
    expect(collecting.round1.accepted).toHaveLength(3);
    expect(collecting.round1.rejected.map((r) => r.reason)).toEqual(['duplicate']);
  });
});
