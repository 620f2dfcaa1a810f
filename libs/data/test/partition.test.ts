import { describe, expect, it } from 'vitest';
import { DataError, partitionDirichlet, partitionIid, type Partition } from '@fedssd/data';

/** 1,000 samples, 10 balanced classes, in a fixed interleaved order. */
const labels = Int32Array.from({ length: 1000 }, (_, i) => (i * 7) % 10);

function expectExactCover(partition: Partition, count: number): void {
  const seen = new Array<number>(count).fill(0);
  for (const indices of partition.clients) {
    expect([...indices].sort((a, b) => a - b)).toEqual(indices); // sorted
    for (const i of indices) seen[i] = (seen[i] as number) + 1;
  }
  expect(seen.every((n) => n === 1)).toBe(true);
}

/** Mean over clients of the largest class share of that client. */
function meanMaxShare(partition: Partition): number {
  const shares = partition.histogram.map((row) => Math.max(...row) / row.reduce((a, b) => a + b, 0));
  return shares.reduce((a, b) => a + b, 0) / shares.length;
}

describe('partitionDirichlet', () => {
  it('when splitting, then every index is used exactly once and histograms match the labels', () => {
    const partition = partitionDirichlet(labels, { clients: 10, alpha: 0.5, seed: 1 });
    expect(partition.clients).toHaveLength(10);
    expectExactCover(partition, labels.length);
    partition.clients.forEach((indices, k) => {
      const row = new Array<number>(10).fill(0);
      for (const i of indices) row[labels[i] as number] = (row[labels[i] as number] as number) + 1;
      expect(partition.histogram[k]).toEqual(row);
      expect(indices.length).toBeGreaterThanOrEqual(2);
    });
  });

  it('when called twice with one seed, then splits identically; another seed differs', () => {
    const a = partitionDirichlet(labels, { clients: 10, alpha: 0.1, seed: 7 });
    expect(partitionDirichlet(labels, { clients: 10, alpha: 0.1, seed: 7 })).toEqual(a);
    expect(partitionDirichlet(labels, { clients: 10, alpha: 0.1, seed: 8 }).clients).not.toEqual(a.clients);
  });

  it('when alpha is small, then clients are label-skewed like the numpy reference; when large, then near-uniform', () => {
    const meanOverSeeds = (alpha: number): number => {
      let total = 0;
      for (let seed = 0; seed < 40; seed += 1) total += meanMaxShare(partitionDirichlet(labels, { clients: 10, alpha, seed }));
      return total / 40;
    };
    const skewed = meanOverSeeds(0.1);
    const uniform = meanOverSeeds(1000);
    console.log(`mean per-client max-class share over 40 seeds: alpha 0.1 → ${skewed.toFixed(3)}, alpha 1000 → ${uniform.toFixed(3)}`);
    // numpy.random.dirichlet with the same cut rule, 1,000 draws: 0.604 (K 10, 10 balanced classes, n 1000).
    expect(skewed).toBeGreaterThan(0.56);
    expect(skewed).toBeLessThan(0.65);
    expect(uniform).toBeLessThan(0.15); // 0.1 is perfectly uniform
  });

  it('when a client would get fewer than minPerClient, then it re-draws until none does', () => {
    const partition = partitionDirichlet(labels, { clients: 20, alpha: 0.3, seed: 2, minPerClient: 10 });
    expectExactCover(partition, labels.length);
    expect(Math.min(...partition.clients.map((c) => c.length))).toBeGreaterThanOrEqual(10);
  });

  it('when the minimum cannot be met within maxTries, then throws a clear error', () => {
    expect(() => partitionDirichlet(labels, { clients: 50, alpha: 0.01, seed: 2, minPerClient: 19, maxTries: 3 })).toThrow(
      /no Dirichlet split with ≥ 19 samples per client after 3 tries \(1000 samples, 50 clients, alpha 0.01\)/,
    );
  });

  it('when options are out of range, then throws INVALID_OPTION naming the field', () => {
    const attempt = (fn: () => unknown): DataError => {
      try {
        fn();
      } catch (error) {
        return error as DataError;
      }
      throw new Error('expected a throw');
    };
    const zeroAlpha = attempt(() => partitionDirichlet(labels, { clients: 10, alpha: 0, seed: 1 }));
    expect(zeroAlpha).toBeInstanceOf(DataError);
    expect(zeroAlpha.code).toBe('INVALID_OPTION');
    expect(zeroAlpha.message).toBe('alpha must be > 0 (got 0)');
    expect(() => partitionDirichlet(labels, { clients: 10, alpha: Number.POSITIVE_INFINITY, seed: 1 })).toThrow(
      'alpha must be > 0 (got Infinity)',
    );
    expect(() => partitionDirichlet(labels, { clients: 2.5, alpha: 1, seed: 1 })).toThrow('clients must be an integer ≥ 1 (got 2.5)');
    expect(() => partitionDirichlet(labels.subarray(0, 3), { clients: 4, alpha: 1, seed: 1, minPerClient: 1 })).toThrow(
      'count must be ≥ clients × minPerClient (3 < 4 × 1)',
    );
  });
});

describe('partitionIid', () => {
  it('when splitting, then shares differ by at most one, cover every index and are seeded', () => {
    const partition = partitionIid(103, { clients: 10, seed: 4 });
    expectExactCover(partition, 103);
    const sizes = partition.clients.map((c) => c.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(partition.histogram.map((row) => row[0])).toEqual(sizes);
    expect(partitionIid(103, { clients: 10, seed: 4 })).toEqual(partition);
    expect(partitionIid(103, { clients: 10, seed: 5 }).clients).not.toEqual(partition.clients);
  });

  it('when labels are given, then histograms are per class and roughly balanced', () => {
    const partition = partitionIid(labels.length, { clients: 5, seed: 1, labels });
    expect(partition.histogram.every((row) => row.length === 10 && row.reduce((a, b) => a + b, 0) === 200)).toBe(true);
    expect(meanMaxShare(partition)).toBeLessThan(0.2);
  });

  it('when there are fewer samples than clients, then throws', () => {
    expect(() => partitionIid(3, { clients: 4, seed: 1 })).toThrow('count must be ≥ clients (3 < 4)');
  });
});
