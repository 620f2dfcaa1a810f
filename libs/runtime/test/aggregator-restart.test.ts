import { beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_VERSION } from '@fedssd/protocol';
import { initBackend } from '@fedssd/tensor';
import { createHarness, takeJobs, tinyConfig, writeUpdate } from './aggregator-helpers.js';

/**
 * Drives one run to the end with the given harness; `mode` may replace the aggregator mid-round.
 * `checkpointEvery` 1: every fold on arrival is checkpointed and its blob deleted at once, so a
 * restart must resume from the checkpoint (the folded blobs are gone).
 */
async function finalModel(mode: 'no-crash' | 'crash-collecting' | 'crash-aggregating', checkpointEvery = 8) {
  const h = createHarness();
  const options = { options: { foldCheckpointEvery: checkpointEvery } };
  let agg = h.make(options);
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
      agg = h.make(options);
      await agg.start();
    }
    // A redelivered update.ready of the first client must not count twice.
    await h.transport.bus.publish((await writeUpdate(h, jobs[0]!)) as never);
    if (mode === 'crash-aggregating' && round === 2) {
      // The aggregator dies mid-aggregation: storing model v2 fails, so the round stays
      // persisted as 'aggregating' and the new aggregator redoes the fold without the old one's memory.
      const putBlob = h.transport.blobs.putBlob.bind(h.transport.blobs);
      let refused = 0;
      h.transport.blobs.putBlob = async (key, bytes, opts) => {
        if (key.endsWith(':model:v2')) {
          refused += 1;
          throw new Error('store unavailable (injected)');
        }
        return putBlob(key, bytes, opts);
      };
      for (const job of jobs.slice(1)) await h.transport.bus.publish((await writeUpdate(h, job)) as never);
      await until(async () => (await h.runs.getRound('rs', 2))!.accepted.length === 3);
      await until(async () => refused > 0);
      await agg.close();
      expect(await h.runs.getRound('rs', 2)).toMatchObject({ status: 'aggregating' });
      expect((await h.runs.listMetrics('rs')).map((r) => r.round)).toEqual([1]);
      h.transport.blobs.putBlob = putBlob;
      agg = h.make(options);
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
    // Checkpoint after every fold: the restarted aggregator resumes from the checkpoint, whose blobs are deleted.
    const checkpointed = await finalModel('crash-collecting', 1);
    const checkpointedAgg = await finalModel('crash-aggregating', 1);
    for (const other of [collecting, aggregating, checkpointed, checkpointedAgg]) {
      expect(other.run).toMatchObject({ status: 'finished', globalVersion: 2 });
      expect(other.bytes.equals(reference.bytes)).toBe(true);
      expect(other.rows.map((r) => r.round)).toEqual([1, 2]);
    }
    expect(collecting.round1.accepted).toHaveLength(3);
    expect(collecting.round1.rejected.map((r) => r.reason)).toEqual(['duplicate']);
  });
});
