import { describe, expect, it } from 'vitest';
import { verdict } from '../src/compare-table.js';
import { ci95, mean, std } from '../src/stats.js';

describe('study statistics', () => {
  it('when given paired differences, then mean, sample std and the t-based 95% CI are right', () => {
    const d = [0.1, 0.3, 0.2];
    expect(mean(d)).toBeCloseTo(0.2, 12);
    expect(std(d)).toBeCloseTo(0.1, 12);
    const [lo, hi] = ci95(d);
    // t(0.975, 2) = 4.303; half width 4.303 * 0.1 / sqrt(3)
    expect(hi - 0.2).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 6);
    expect(0.2 - lo).toBeCloseTo(hi - 0.2, 12);
    expect(ci95([1])).toEqual([NaN, NaN]);
  });

  it('when two frameworks differ by more than twice their seed spread, then the verdict says so', () => {
    const row = (u: number) => ({ knnAccuracy: 0.7, uniformity: u, effectiveRank: 30, interClientUniformity: u });
    const lines = verdict([row(0.6), row(0.62)], [row(2.5), row(2.52)]);
    expect(lines.find((l) => l.metric === 'uniformity')?.ok).toBe(false);
    expect(lines.find((l) => l.metric === 'uniformity')?.noise).toBeCloseTo(0.02, 12);
    const same = verdict([row(0.6), row(0.64)], [row(0.61), row(0.63)]);
    expect(same.find((l) => l.metric === 'uniformity')?.ok).toBe(true);
  });
});
