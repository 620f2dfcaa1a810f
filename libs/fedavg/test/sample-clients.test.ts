import { describe, expect, it } from 'vitest';
import { sampleClients } from '@fedssd/fedavg';

describe('sampleClients', () => {
  it('when sampling 20% of 50, then returns 10 distinct sorted ids in range', () => {
    const ids = sampleClients({ clients: 50, participation: 0.2, round: 3, seed: 1 });
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 50)).toBe(true);
  });

  it('when called again with the same seed and round, then the same ids; other rounds differ', () => {
    const a = sampleClients({ clients: 50, participation: 0.2, round: 3, seed: 1 });
    expect(sampleClients({ clients: 50, participation: 0.2, round: 3, seed: 1 })).toEqual(a);
    expect(sampleClients({ clients: 50, participation: 0.2, round: 4, seed: 1 })).not.toEqual(a);
    expect(sampleClients({ clients: 50, participation: 0.2, round: 3, seed: 2 })).not.toEqual(a);
  });

  it('when participation is 1, then everyone; when tiny, then at least one', () => {
    expect(sampleClients({ clients: 10, participation: 1, round: 0, seed: 0 })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sampleClients({ clients: 10, participation: 0.01, round: 0, seed: 0 })).toHaveLength(1);
    expect(sampleClients({ clients: 10, participation: 0.25, round: 0, seed: 0 })).toHaveLength(3); // round(2.5) = 3
  });

  it('when sampled over many rounds, then every client is picked about equally often', () => {
    const picks = new Array<number>(50).fill(0);
    for (let round = 0; round < 2000; round += 1)
      for (const id of sampleClients({ clients: 50, participation: 0.2, round, seed: 7 })) picks[id]! += 1;
    // Expected 400 each; binomial sd ≈ 17.9, so ±90 is 5 sd.
    expect(Math.min(...picks)).toBeGreaterThan(310);
    expect(Math.max(...picks)).toBeLessThan(490);
  });

  it('when options are out of range, then throws naming the field', () => {
    expect(() => sampleClients({ clients: 10, participation: 0, round: 0, seed: 0 })).toThrow('participation must be in (0, 1] (got 0)');
    expect(() => sampleClients({ clients: 10, participation: 1.5, round: 0, seed: 0 })).toThrow(
      'participation must be in (0, 1] (got 1.5)',
    );
    expect(() => sampleClients({ clients: 0, participation: 1, round: 0, seed: 0 })).toThrow('clients must be an integer ≥ 1 (got 0)');
    expect(() => sampleClients({ clients: 5, participation: 1, round: -1, seed: 0 })).toThrow('round must be an integer ≥ 0 (got -1)');
  });
});
