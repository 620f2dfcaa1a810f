import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticDataset } from '@fedssd/data';
import { RunConfigSchema } from '@fedssd/protocol';
import { initBackend } from '@fedssd/tensor';
import { CheckpointError, readCheckpointMeta, simulateRun, type SimulationResult } from '../src/index.js';

const train = syntheticDataset({ count: 72, seed: 5, split: 'train' });
const test = syntheticDataset({ count: 30, seed: 5, split: 'test' });
const config = RunConfigSchema.parse({
  method: 'ssd',
  clients: 3,
  alpha: 1,
  rounds: 4,
  localEpochs: 1,
  batchSize: 8,
  seed: 21,
  evalEvery: 2,
});
const options = { backend: 'test', probeEpochs: 2 };

/** Report numbers without wall-clock fields, and the model bytes. */
function comparable(result: SimulationResult) {
  return {
    rounds: result.report.rounds.map((r) => ({ ...r, durationMs: 0, samplesPerSecond: 0 })),
    final: result.report.final,
    bytes: Buffer.concat(result.weights.map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength))),
  };
}

describe('simulate checkpoints', { timeout: 600_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('auto');
    dir = await mkdtemp(join(tmpdir(), 'fedssd-ckpt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a 4-round run stops after round 2 and is resumed, then its report and final model equal the uninterrupted run bit for bit', async () => {
    const straight = await simulateRun(config, { train, test }, options);
    const ckpt = join(dir, 'run');
    const stop = new AbortController();
    await expect(
      simulateRun(
        config,
        { train, test },
        { ...options, checkpointDir: ckpt },
        { signal: stop.signal, onRoundEnd: (r) => r.round === 2 && stop.abort() },
      ),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(await readCheckpointMeta(ckpt)).toMatchObject({ roundsDone: 2, config });
    const resumedRounds: number[] = [];
    const resumed = await simulateRun(
      config,
      { train, test },
      { ...options, checkpointDir: ckpt, resume: true },
      { onRoundStart: (i) => resumedRounds.push(i.round) },
    );
    expect(resumedRounds).toEqual([3, 4]);
    const a = comparable(straight);
    const b = comparable(resumed);
    expect(b.rounds).toEqual(a.rounds);
    expect(b.final).toEqual(a.final);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(await readCheckpointMeta(ckpt)).toMatchObject({ roundsDone: 4 });
  });

  it('when resumed with a different config, then it refuses naming each differing field; a damaged checkpoint is refused too', async () => {
    const ckpt = join(dir, 'two');
    await simulateRun({ ...config, rounds: 1 }, { train, test }, { ...options, checkpointDir: ckpt });
    const other = { ...config, rounds: 1, seed: 22, lr: 0.05 };
    const error = await simulateRun(other, { train, test }, { ...options, checkpointDir: ckpt, resume: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/lr: checkpoint 0.1, now 0.05/);
    expect((error as Error).message).toMatch(/seed: checkpoint 21, now 22/);
    await writeFile(join(ckpt, 'blobs.bin'), Buffer.alloc(3));
    await expect(simulateRun({ ...config, rounds: 1 }, { train, test }, { ...options, checkpointDir: ckpt, resume: true })).rejects.toThrow(
      /damaged/,
    );
    await expect(simulateRun(config, { train, test }, { ...options, checkpointDir: join(dir, 'none'), resume: true })).rejects.toThrow(
      /no checkpoint/,
    );
  });
});
