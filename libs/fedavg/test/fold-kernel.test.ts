import { afterEach, describe, expect, it } from 'vitest';
import { createFedAvg, defaultFoldKernel, FedAvgError, jsFoldKernel, setFoldKernel, type FoldKernel } from '@fedssd/fedavg';
import { randomWeights } from './helpers.js';

/** A plain re-statement of the fold: one update after another, left to right. */
const sequential: FoldKernel = (sum, values, weights) => {
  for (let j = 0; j < sum.length; j += 1) {
    let s = sum[j] as number;
    values.forEach((v, k) => {
      s += (v[j] as number) * (weights[k] as number);
    });
    sum[j] = s;
  }
};

/** Sums the group before adding it to the running sum: the same maths, a different float64 order. */
const groupFirst: FoldKernel = (sum, values, weights) => {
  for (let j = 0; j < sum.length; j += 1) {
    let g = 0;
    values.forEach((v, k) => {
      g += (v[j] as number) * (weights[k] as number);
    });
    sum[j] = (sum[j] as number) + g;
  }
};

afterEach(() => {
  setFoldKernel(undefined);
});

describe('fold kernel injection', () => {
  it('when no kernel was set, then accumulators use the JS kernel', () => {
    expect(defaultFoldKernel()).toBe(jsFoldKernel);
  });

  it('when a kernel reproduces the JS order, then it is installed and used by new accumulators', () => {
    let calls = 0;
    const counted: FoldKernel = (sum, values, weights) => {
      calls += 1;
      sequential(sum, values, weights);
    };
    expect(setFoldKernel(counted)).toBe(jsFoldKernel);
    calls = 0;
    const w = randomWeights(1);
    const avg = createFedAvg(w);
    avg.add(w, 3);
    expect(calls).toBe(w.length);
    expect(avg.result()).toEqual(w);
    expect(setFoldKernel(undefined)).toBe(counted);
    expect(defaultFoldKernel()).toBe(jsFoldKernel);
  });

  it('when a kernel adds in another order, then setFoldKernel and createFedAvg refuse it and the default stays', () => {
    const check = (fn: () => unknown): void => {
      expect(fn).toThrow(FedAvgError);
      expect(fn).toThrow(/fold kernel groupFirst differs from the JS kernel for groups of 2/);
    };
    check(() => setFoldKernel(groupFirst));
    check(() => createFedAvg(randomWeights(2), { fold: groupFirst }));
    expect(defaultFoldKernel()).toBe(jsFoldKernel);
  });

  it('when a kernel rounds each product to float32, then it is refused for single updates too', () => {
    const rounded: FoldKernel = (sum, values, weights) => {
      for (let j = 0; j < sum.length; j += 1) {
        values.forEach((v, k) => {
          sum[j] = (sum[j] as number) + Math.fround((v[j] as number) * (weights[k] as number));
        });
      }
    };
    expect(() => setFoldKernel(rounded)).toThrow(/for groups of 1/);
  });
});
