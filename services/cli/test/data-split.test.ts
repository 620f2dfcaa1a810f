import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FASHION_MNIST_DIR, loadDataset, loadSiteData } from '@fedssd/data/node';
import { prepareRun } from '@fedssd/engine';
import { RunConfigSchema } from '@fedssd/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helper.js';

const present = existsSync(join(DEFAULT_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
if (!present && process.env.CI === 'true')
  throw new Error(`Fashion-MNIST missing at ${DEFAULT_FASHION_MNIST_DIR}: apt-get install dataset-fashion-mnist`);

describe('fedssd data split', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'fedssd-split-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it.skipIf(!present)(
    "when a Fashion-MNIST split is written, then each client folder read back gives exactly the engine's shard for that client",
    async () => {
      const dir = join(out, 'split');
      const flags = [
        '--dataset',
        'fashion-mnist',
        '--clients',
        '3',
        '--alpha',
        '0.1',
        '--seed',
        '7',
        '--train-limit',
        '400',
        '--batch-size',
        '16',
      ];
      const result = await runCli(['data', 'split', ...flags, '--out', dir]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      // What the simulator and the services derive from the same flags (method ssd: the partition does not depend on it).
      const config = RunConfigSchema.parse({
        dataset: 'fashion-mnist',
        clients: 3,
        alpha: 0.1,
        seed: 7,
        trainLimit: 400,
        batchSize: 16,
        method: 'ssd',
      });
      const train = await loadDataset({ name: 'fashion-mnist', split: 'train', limit: 400, seed: 7 });
      const prepared = prepareRun(config, train);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
        perClient: Array<{ count: number; histogram: number[] }>;
      };
      for (let k = 0; k < 3; k += 1) {
        const site = await loadSiteData(join(dir, `client-${k}`));
        const shard = prepared.shards[k]!;
        expect([site.count, site.height, site.width, site.channels]).toEqual([shard.count, 28, 28, 1]);
        expect(Buffer.from(site.images.buffer).equals(Buffer.from(shard.images.buffer)), `client ${k}`).toBe(true);
        expect(manifest.perClient[k]).toMatchObject({ count: shard.count, histogram: prepared.partition.histogram[k] });
        expect(site.labels).toBeUndefined();
      }
      // The skew is real: alpha 0.1 gives clients very different class mixes.
      expect(new Set(manifest.perClient.map((c) => c.histogram.indexOf(Math.max(...c.histogram)))).size).toBeGreaterThan(1);
    },
  );

  it.each([
    [['--dataset', 'synthetic', '--out', 'x'], '--dataset: must be one of mnist, fashion-mnist, cifar10'],
    [['--dataset', 'fashion-mnist'], '--out: required'],
    [['--dataset', 'fashion-mnist', '--clients', '0', '--out', 'x'], '--clients: must be between 1 and 1000 (got 0)'],
  ])('when the flags are %j, then it exits 2 naming the flag', async (args, message) => {
    const result = await runCli(['data', 'split', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('when the output folder is not empty, then it refuses before reading any data', async () => {
    const result = await runCli(['data', 'split', '--dataset', 'fashion-mnist', '--out', join(out, '..')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--out: .* is not empty/);
  });
});
