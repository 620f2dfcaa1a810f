import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '@fedssd/data';
import { RunConfigSchema } from '@fedssd/protocol';
import { evalSetsFor, prepareRun } from '@fedssd/engine';

const train = syntheticDataset({ count: 60, seed: 1, split: 'train' });
const test = syntheticDataset({ count: 20, seed: 1, split: 'test' });

describe('evalSetsFor', () => {
  it('when DSR uses the code form, then the mechanism check measures energy in the shared basis Q', () => {
    const config = RunConfigSchema.parse({ method: 'dsr', clients: 3, alpha: 10, batchSize: 8, seed: 2 });
    const prepared = prepareRun(config, train);
    const sets = evalSetsFor(config, prepared, train, test, 5);
    expect(sets.targets?.basisValues).toBe(prepared.targets?.basis);
    expect(sets.perClient.map((s) => s.count)).toEqual(prepared.shards.map((s) => Math.min(5, s.count)));
  });

  it('when DSR uses the paper form (Q = I), then the mechanism check measures energy in the standard basis', () => {
    const config = RunConfigSchema.parse({ method: 'dsr', clients: 3, alpha: 10, batchSize: 8, seed: 2, dsr: { form: 'paper' } });
    const sets = evalSetsFor(config, prepareRun(config, train), train, test, 5);
    const { dim, basisValues } = sets.targets!;
    expect(dim).toBe(128);
    for (let i = 0; i < dim; i += 1) for (let j = 0; j < dim; j += 1) expect(basisValues[i * dim + j]).toBe(i === j ? 1 : 0);
  });
});
