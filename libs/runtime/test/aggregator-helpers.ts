import { syntheticDataset } from '@fedssd/data';
import {
  MESSAGE_VERSION,
  RunConfigSchema,
  updateKey,
  type Message,
  type RunConfig,
  type RunConfigInput,
  type TrainJob,
  type WirePrecision,
} from '@fedssd/protocol';
import { createLogger, createMetrics } from '@fedssd/telemetry';
import { encodeWeights, decodeWeights, type Weights } from '@fedssd/tensor';
import { createInMemoryTransport, createRunRepository, type InMemoryTransport, type RunRepository } from '@fedssd/transport';
import type { DataLoader } from '@fedssd/engine';
import { createAggregator, type Aggregator, type AggregatorDeps, type Clock, type Evaluator } from '../src/index.js';

/** A clock whose time moves only when the test says so; due timers fire in order. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  let nextId = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock & { advance(ms: number): void; pendingCount(): number } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++nextId;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
    advance(ms) {
      now += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now && pending.delete(id)) t.fn();
      }
    },
    pendingCount: () => pending.size,
  };
  return clock;
}

/** Tiny synthetic data: 3 clients of >= 8 images each, fast to partition and to evaluate. */
export const loadTinyData: DataLoader = async (config, split, limit) =>
  syntheticDataset({ count: limit ?? (split === 'train' ? 72 : 30), seed: config.seed, split });

export function tinyConfig(overrides: Partial<RunConfigInput> = {}): RunConfig {
  return RunConfigSchema.parse({
    clients: 3,
    rounds: 2,
    trainLimit: 72,
    batchSize: 8,
    alpha: 100,
    localEpochs: 1,
    seed: 7,
    autoAdvance: true,
    ...overrides,
  });
}

export const FIXED_METRICS = {
  knnAccuracy: 0.5,
  uniformity: -1.5,
  effectiveRank: 3,
  interClientUniformity: 0.25,
  subspaceEnergy: null,
  linearProbeAccuracy: null,
};

/** One harness: in-memory transport, repository, metrics, a manual clock and a stub evaluator. */
export function createHarness<C extends Clock = ReturnType<typeof manualClock>>(
  transport: InMemoryTransport = createInMemoryTransport(),
  clock: C = manualClock() as unknown as C,
) {
  const runs: RunRepository = createRunRepository(transport.state, transport.blobs);
  const metrics = createMetrics({ defaultMetrics: false });
  const evaluations: number[] = [];
  const evaluate: Evaluator = async (_weights, context) => {
    evaluations.push(context.config.rounds);
    return FIXED_METRICS;
  };
  const events: Message[] = [];
  const make = (extra: Partial<AggregatorDeps> = {}): Aggregator =>
    createAggregator({
      bus: transport.bus,
      jobs: transport.jobs,
      runs,
      blobs: transport.blobs,
      logger: createLogger({ service: 'aggregator-test', level: 'silent' }),
      metrics,
      clock,
      loadData: loadTinyData,
      evaluate,
      ...extra,
    });
  return { transport, runs, metrics, clock, evaluations, events, make };
}

/** Jobs waiting on the in-memory job queue, removed from it (the test plays the trainers). */
export async function takeJobs(transport: InMemoryTransport): Promise<TrainJob[]> {
  const jobs: TrainJob[] = [];
  const sub = await transport.jobs.consumeJobs(
    async (job, ctx) => {
      jobs.push(job);
      await ctx.ack();
    },
    { prefetch: 100 },
  );
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  await sub.cancel();
  return jobs.sort((a, b) => a.clientId - b.clientId);
}

/** A deterministic fake delta for a client: the global weights scaled by a client-specific factor. */
export function fakeDelta(global: Weights, clientId: number): Weights {
  return global.map((w) => ({
    name: w.name,
    shape: w.shape,
    values: w.values.map((v, i) => v * 0.01 * (clientId + 1) + ((i % 7) - 3) * 1e-4),
  }));
}

/** Writes a client's update blob and returns the matching update.ready message. */
export async function writeUpdate(
  h: ReturnType<typeof createHarness>,
  job: TrainJob,
  delta?: Weights,
  overrides: Record<string, unknown> = {},
) {
  const globalBytes = await h.runs.getModel(job.runId, job.globalVersion);
  const global = decodeWeights(globalBytes!);
  const d = delta ?? fakeDelta(global, job.clientId);
  const key = updateKey(job.runId, job.round, job.clientId);
  const context = await h.runs.getRun(job.runId);
  const dtype = (overrides.dtype as WirePrecision | undefined) ?? context?.config.wirePrecision ?? 'fp32';
  await h.transport.blobs.putBlob(key, encodeWeights(d, { dtype }), { nx: true });
  const samples = (overrides.samples as number | undefined) ?? (await shardCounts(context!.config))[job.clientId]!;
  return {
    type: 'update.ready',
    version: MESSAGE_VERSION,
    runId: job.runId,
    round: job.round,
    clientId: job.clientId,
    globalVersion: job.globalVersion,
    updateKey: key,
    samples,
    trainSeconds: 0.5,
    loss: { total: 1, align: 0.5, uniformity: -1, dsr: 0.2, pd: 0.3 },
    workerId: 'test',
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'dtype')),
  } as Message;
}

/** Shard sizes of a run, as prepareRun computes them. */
export async function shardCounts(config: RunConfig): Promise<number[]> {
  const { prepareRun } = await import('@fedssd/engine');
  return prepareRun(config, await loadTinyData(config, 'train', config.trainLimit)).shards.map((s) => s.count);
}

export function runStart(runId: string, config: RunConfig): Message {
  return { type: 'run.start', version: MESSAGE_VERSION, runId, config } as Message;
}

/** Lets queued microtasks and setImmediate callbacks run. */
export async function settle(times = 5): Promise<void> {
  for (let i = 0; i < times; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
