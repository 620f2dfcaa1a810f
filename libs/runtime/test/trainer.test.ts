import { beforeAll, describe, expect, it } from 'vitest';
import { createAggregator, createTrainer, simulateRun } from '../src/index.js';
import type { DataLoader } from '@fedssd/engine';
import { syntheticDataset } from '@fedssd/data';
import { MESSAGE_VERSION, RunConfigSchema, type RunConfigInput } from '@fedssd/protocol';
import { createLogger, createMetrics } from '@fedssd/telemetry';
import { decodeWeights, encodeWeights, initBackend } from '@fedssd/tensor';
import { createInMemoryTransport, createRunRepository } from '@fedssd/transport';

const loadData: DataLoader = async (config, split, limit) => syntheticDataset({ count: limit ?? 30, seed: config.seed, split });
const silent = () => createLogger({ service: 'test', level: 'silent' });
const configOf = (o: Partial<RunConfigInput> = {}) =>
  RunConfigSchema.parse({
    clients: 3,
    rounds: 1,
    trainLimit: 48,
    batchSize: 8,
    alpha: 100,
    localEpochs: 1,
    seed: 5,
    autoAdvance: true,
    ...o,
  });

function system() {
  const t = createInMemoryTransport();
  const runs = createRunRepository(t.state, t.blobs);
  const trainerMetrics = createMetrics({ defaultMetrics: false });
  const aggregator = createAggregator({
    bus: t.bus,
    jobs: t.jobs,
    runs,
    blobs: t.blobs,
    logger: silent(),
    metrics: createMetrics({ defaultMetrics: false }),
    loadData,
    evaluate: async () => ({
      knnAccuracy: 0,
      uniformity: 0,
      effectiveRank: 1,
      interClientUniformity: null,
      subspaceEnergy: null,
      linearProbeAccuracy: null,
    }),
  });
  const trainer = (id: string) =>
    createTrainer({ jobs: t.jobs, bus: t.bus, runs, blobs: t.blobs, logger: silent(), metrics: trainerMetrics, loadData, workerId: id });
  const until = async (check: () => Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { t, runs, aggregator, trainer, trainerMetrics, until };
}

describe('trainer', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('when two trainers serve an aggregator over the fakes, then the final model equals simulateRun bit for bit', async () => {
    const s = system();
    const config = configOf({ rounds: 2 });
    const [a, b] = [s.trainer('a'), s.trainer('b')];
    await s.aggregator.start();
    await a.start();
    await b.start();
    await s.t.bus.publish({ type: 'run.start', version: MESSAGE_VERSION, runId: 'tr', config });
    await s.until(async () => (await s.runs.getRun('tr'))?.status === 'finished');
    const stored = (await s.runs.getModel('tr', 2))!;
    const train = await loadData(config, 'train', config.trainLimit);
    const test = await loadData(config, 'test', 30);
    const { weights } = await simulateRun(config, { train, test }, { backend: 'wasm', probeEpochs: 0 });
    expect(Buffer.from(stored).equals(Buffer.from(encodeWeights(weights)))).toBe(true);
    const round = (await s.runs.getRound('tr', 2))!;
    expect(new Set(round.accepted.map((u) => u.workerId)).size).toBeGreaterThanOrEqual(1);
    expect(await s.trainerMetrics.registry.metrics()).toContain('fedssd_jobs_total{outcome="completed"} 6');
    await Promise.all([a.close(), b.close(), s.aggregator.close()]);
    expect(decodeWeights(stored).length).toBe(weights.length);
  });

  it('when a job belongs to a round that already closed, then it is acked and counted stale without training', async () => {
    const s = system();
    await s.aggregator.handle({ type: 'run.start', version: MESSAGE_VERSION, runId: 'st', config: configOf({ autoAdvance: true }) });
    await s.aggregator.handle({ type: 'run.stop', version: MESSAGE_VERSION, runId: 'st' });
    const trainer = s.trainer('c');
    await trainer.start();
    await s.until(async () => (await s.t.jobs.depth()) === 0);
    await new Promise((r) => setTimeout(r, 50));
    await trainer.idle();
    const text = await s.trainerMetrics.registry.metrics();
    expect(text).toContain('fedssd_jobs_total{outcome="stale"} 3');
    // The other outcomes are exported at 0 (created with the trainer), not missing.
    for (const outcome of ['completed', 'failed', 'aborted', 'requeued', 'malformed'])
      expect(text).toContain(`fedssd_jobs_total{outcome="${outcome}"} 0`);
    expect(await s.runs.getModel('st', 1)).toBeNull();
    await trainer.close();
  });

  it("when a job's client already failed this round (its job was dead-lettered), then a duplicate of that job is dropped as stale", async () => {
    const s = system();
    await s.aggregator.handle({ type: 'run.start', version: MESSAGE_VERSION, runId: 'fc', config: configOf({ autoAdvance: true }) });
    await s.aggregator.handleFailure({
      job: {
        type: 'train.job',
        version: MESSAGE_VERSION,
        runId: 'fc',
        round: 1,
        clientId: 0,
        globalVersion: 0,
        modelKey: 'k',
        target: null,
        deadline: 0,
        attempt: 1,
      },
      reason: 'delivery_limit',
      queue: 'fedssd.jobs',
    });
    expect((await s.runs.getRound('fc', 1))?.failed).toEqual([{ clientId: 0, reason: 'delivery_limit' }]);
    // Only client 0's job is left for this trainer to see: the other two are taken off the queue first.
    const held: number[] = [];
    const other = await s.t.jobs.consumeJobs(
      async (job, ctx) => {
        if (job.clientId === 0) return; // held; back to the queue when this consumer goes
        held.push(job.clientId);
        await ctx.ack();
      },
      { prefetch: 3 },
    );
    await s.until(async () => held.length === 2);
    await other.cancel();
    const trainer = s.trainer('d');
    await trainer.start();
    await s.until(async () => (await s.t.jobs.depth()) === 0);
    await new Promise((r) => setTimeout(r, 50));
    await trainer.idle();
    expect(await s.trainerMetrics.registry.metrics()).toContain('fedssd_jobs_total{outcome="stale"} 1');
    await trainer.close();
    await s.aggregator.close();
  });

  it('when the trainer closes mid-training, then the job is aborted at the next batch and returns to the queue for another worker', async () => {
    const s = system();
    // A bigger shard so training is still running when close() is called.
    await s.aggregator.handle({
      type: 'run.start',
      version: MESSAGE_VERSION,
      runId: 'ab',
      config: configOf({ clients: 1, trainLimit: 400, batchSize: 8, participation: 1 }),
    });
    const trainer = s.trainer('d');
    await trainer.start();
    await s.until(async () => (await s.t.jobs.depth()) === 0);
    await new Promise((r) => setTimeout(r, 300));
    await trainer.close();
    expect(trainer.state).toBe('closed');
    expect(await s.t.jobs.depth()).toBe(1);
    expect(await s.trainerMetrics.registry.metrics()).toContain('fedssd_jobs_total{outcome="aborted"} 1');
    expect(await s.runs.getRound('ab', 1)).toMatchObject({ status: 'collecting', accepted: [] });
  });
});
