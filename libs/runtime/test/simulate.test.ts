import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticDataset } from '@fedssd/data';
import { RunConfigSchema } from '@fedssd/protocol';
import { initBackend } from '@fedssd/tensor';
import { SimulationError } from '@fedssd/engine';
import { simulateRun } from '../src/index.js';

const train = syntheticDataset({ count: 96, seed: 3, split: 'train' });
const test = syntheticDataset({ count: 40, seed: 3, split: 'test' });
const config = RunConfigSchema.parse({
  method: 'ssd',
  clients: 3,
  alpha: 0.5,
  rounds: 2,
  localEpochs: 1,
  batchSize: 16,
  seed: 11,
  evalEvery: 1,
});

// Each run trains 3 clients for 2 rounds; under a loaded 2-core machine that can take minutes.
describe('simulateRun', { timeout: 400_000 }, () => {
  beforeAll(async () => {
    await initBackend('auto');
  });

  it('when run twice with the same seed, then the report numbers and model bytes are identical, and nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const a = await simulateRun(config, { train, test }, { backend: 'test', probeEpochs: 3 });
    const b = await simulateRun(config, { train, test }, { backend: 'test', probeEpochs: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const strip = (r: typeof a.report) => ({
      ...r,
      durationMs: 0,
      rounds: r.rounds.map((x) => ({ ...x, durationMs: 0, samplesPerSecond: 0 })),
    });
    expect(strip(a.report)).toEqual(strip(b.report));
    expect(a.weights.length).toBe(b.weights.length);
    a.weights.forEach((w, i) => expect(Buffer.from(w.values.buffer).equals(Buffer.from(b.weights[i]!.values.buffer))).toBe(true));
  });

  it('when a run finishes, then every report field the issue names is present and finite', async () => {
    const { report } = await simulateRun({ ...config, rounds: 1 }, { train, test }, { backend: 'test', probeEpochs: 3 });
    expect(report.partition.clients).toHaveLength(3);
    expect(report.partition.clients.reduce((n, c) => n + c.samples, 0)).toBe(96);
    const [round] = report.rounds;
    expect(round).toBeDefined();
    for (const key of ['total', 'align', 'uniformity', 'dsr', 'pd'] as const) expect(Number.isFinite(round!.loss[key])).toBe(true);
    expect(round!.loss.dsr).toBeGreaterThan(0);
    expect(round!.loss.pd).toBeGreaterThan(0);
    for (const v of [round!.knnAccuracy, round!.uniformity, round!.effectiveRank, round!.interClientUniformity])
      expect(Number.isFinite(v)).toBe(true);
    const f = report.final;
    expect(f.linearProbeAccuracy).toBeGreaterThanOrEqual(0);
    expect(f.knnAccuracy).toBeGreaterThan(0);
    expect(f.subspaceEnergy?.perClient).toHaveLength(3);
    expect(f.effectiveRank).toBeGreaterThan(1);
  });

  it('when the baseline runs, then the DSR and PD terms are zero', async () => {
    const { report } = await simulateRun(
      { ...config, method: 'baseline', rounds: 1 },
      { train, test },
      { backend: 'test', probeEpochs: 0 },
    );
    expect(report.rounds[0]!.loss.dsr).toBe(0);
    expect(report.rounds[0]!.loss.pd).toBe(0);
    expect(report.final.linearProbeAccuracy).toBeNull();
  });

  it('when K * m exceeds d for a DSR method, then a config error names the sizes', async () => {
    const bad = { ...config, dsr: { ...config.dsr, sliceSize: 100 } };
    await expect(simulateRun(bad, { train, test }, { backend: 'test' })).rejects.toThrow(SimulationError);
    await expect(simulateRun(bad, { train, test }, { backend: 'test' })).rejects.toThrow(/sliceSize|dim/);
  });

  it('when a batch is larger than some client can fill, then a config error says so', async () => {
    const bad = { ...config, batchSize: 60 };
    await expect(simulateRun(bad, { train, test }, { backend: 'test' })).rejects.toThrow(/batchSize = 60/);
  });
});
