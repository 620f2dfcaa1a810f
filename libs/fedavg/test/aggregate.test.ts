import { describe, expect, it } from 'vitest';
import { createRng, type Weights } from '@fedssd/tensor';
import { createFedAvg, fedAvg, FedAvgError } from '@fedssd/fedavg';
import { randomWeights } from './helpers.js';

describe('createFedAvg', () => {
  it('when updates are folded, then the result is Σ w·n / Σ n (BN statistics included)', () => {
    const a = randomWeights(1);
    const b = randomWeights(2);
    const c = randomWeights(3);
    const avg = createFedAvg(a);
    avg.add(a, 10);
    avg.add(b, 30);
    avg.add(c, 60);
    expect(avg.count).toBe(3);
    expect(avg.totalSamples).toBe(100);
    const result = avg.result();
    expect(result.map((w) => w.name)).toEqual(a.map((w) => w.name));
    result.forEach((w, i) => {
      w.values.forEach((v, j) => {
        const expected = ((a[i]?.values[j] ?? 0) * 10 + (b[i]?.values[j] ?? 0) * 30 + (c[i]?.values[j] ?? 0) * 60) / 100;
        expect(v).toBeCloseTo(expected, 6);
      });
    });
    expect(result.find((w) => w.name === 'encoder.bn.runningVariance')?.values).toBeInstanceOf(Float32Array);
  });

  it('when one update is added, then the result equals it exactly', () => {
    const a = randomWeights(4);
    const avg = createFedAvg(a);
    avg.add(a, 7);
    expect(avg.result()).toEqual(a);
  });

  it('when many equal updates are averaged, then float64 sums keep the result exact', () => {
    const a = randomWeights(5);
    const avg = createFedAvg(a);
    for (let k = 0; k < 1000; k += 1) avg.add(a, 128);
    expect(avg.result()).toEqual(a);
  });

  it('when an update has another layout or the sample count is bad, then throws naming the problem', () => {
    const a = randomWeights(6);
    const avg = createFedAvg(a);
    const renamed: Weights = a.map((w, i) => (i === 0 ? { ...w, name: 'encoder.other' } : w));
    expect(() => avg.add(renamed, 1)).toThrow(/update: tensor 0 is encoder.other, expected encoder.bn.runningMean/);
    const reshaped: Weights = a.map((w) => (w.name === 'encoder.conv.kernel' ? { ...w, shape: [3, 3, 4, 1] } : w));
    expect(() => avg.add(reshaped, 1)).toThrow('update: encoder.conv.kernel has shape [3,3,4,1], expected [3,3,1,4]');
    expect(() => avg.add(a.slice(1), 1)).toThrow('update: expected 4 tensors, got 3');
    expect(() => avg.add(a, 0)).toThrow('samples must be > 0 and finite (got 0)');
    expect(avg.count).toBe(0); // rejected updates leave no trace
    expect(() => avg.result()).toThrow(FedAvgError);
  });

  it('when updates are folded in groups (addAll), then every byte equals one add per update', () => {
    // Products are exact (power-of-two sample counts) and huge terms cancel, so the float64
    // sums depend visibly on the order of additions: summing a group before adding it to the
    // running sum would change many result values (checked by breaking the kernel once).
    const rng = createRng(21);
    const picks = [2 ** 90, -(2 ** 90), 1, -1, 0.25, 3];
    const updates = Array.from({ length: 9 }, (_, k) => {
      const samples = 2 ** (k % 4);
      const pick = (): number => (picks[Math.floor(rng.uniform(0, picks.length))] as number) / samples;
      const weights = randomWeights(200 + k)
        .concat([{ name: 'z.odd', shape: [37], values: new Float32Array(37) }])
        .map((w) => ({ ...w, values: w.values.map(pick) }));
      return { weights, samples };
    });
    const bytes = (w: Weights): Buffer =>
      Buffer.concat(w.map((t) => Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength)));
    for (let k = 1; k <= updates.length; k += 1) {
      const one = createFedAvg(updates[0]!.weights);
      for (const u of updates.slice(0, k)) one.add(u.weights, u.samples);
      const grouped = createFedAvg(updates[0]!.weights);
      grouped.addAll(updates.slice(0, k));
      expect(grouped.count).toBe(k);
      expect(grouped.totalSamples).toBe(one.totalSamples);
      expect(bytes(grouped.result()).equals(bytes(one.result()))).toBe(true);
    }
  });

  it('when one update of a group is bad, then addAll folds none of them', () => {
    const a = randomWeights(7);
    const avg = createFedAvg(a);
    expect(() =>
      avg.addAll([
        { weights: a, samples: 2 },
        { weights: a, samples: Number.NaN },
      ]),
    ).toThrow('samples must be > 0 and finite (got NaN)');
    expect(avg.count).toBe(0);
    avg.addAll([{ weights: a, samples: 2 }]);
    expect(avg.result()).toEqual(a);
  });
});

describe('fedAvg', () => {
  const updates = Array.from({ length: 12 }, (_, k) => ({ clientId: k * 3, weights: randomWeights(100 + k, 10), samples: 17 + k * 13 }));

  it('when the same updates arrive in any order, then the result is bit-identical', () => {
    const reference = fedAvg(updates);
    const rng = createRng(9);
    for (let trial = 0; trial < 5; trial += 1) {
      const shuffled = rng.shuffle([...updates]);
      const result = fedAvg(shuffled);
      result.forEach((w, i) =>
        expect(Buffer.from(w.values.buffer)).toEqual(Buffer.from((reference[i] as (typeof reference)[number]).values.buffer)),
      );
    }
  });

  it('when folding order would change the sum, then fedAvg still gives one answer for every arrival order', () => {
    // Cancellation makes float addition visibly non-associative: (1e30 + 1) - 1e30 = 0, (1e30 - 1e30) + 1 = 1.
    const one = (clientId: number, value: number): { clientId: number; weights: Weights; samples: number } => ({
      clientId,
      weights: [{ name: 'w', shape: [1], values: Float32Array.of(value) }],
      samples: 1,
    });
    const items = [one(0, 1e30), one(1, 1), one(2, -1e30)];
    const foldInArrivalOrder = (order: number[]): number => {
      const avg = createFedAvg(items[0]!.weights);
      for (const i of order) avg.add(items[i]!.weights, 1);
      return avg.result()[0]!.values[0]!;
    };
    expect(foldInArrivalOrder([0, 1, 2])).not.toBe(foldInArrivalOrder([0, 2, 1])); // the hazard is real
    const permutations = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    const results = permutations.map((order) => fedAvg(order.map((i) => items[i]!))[0]!.values[0]);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toBe(foldInArrivalOrder([0, 1, 2])); // client-id order
  });

  it('when a client id repeats or the list is empty, then throws', () => {
    expect(() => fedAvg([...updates, { ...(updates[0] as (typeof updates)[number]) }])).toThrow('clientId 0 appears more than once');
    expect(() => fedAvg([])).toThrow('fedAvg needs at least one update; got an empty list');
  });
});
