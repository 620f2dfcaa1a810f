import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '@fedssd/runtime';
import { compareChart, compareTables } from '../src/compare-command.js';

function report(method: 'baseline' | 'ssd', seed: number, knn: number): SimulationReport {
  const round = {
    round: 1,
    durationMs: 1,
    participants: [0],
    samples: 1,
    samplesPerSecond: 1,
    loss: { total: -1, align: 1, uniformity: -2, dsr: 0.1, pd: 0.2 },
    knnAccuracy: knn,
    uniformity: 1,
    effectiveRank: 5,
    interClientUniformity: 1,
  };
  return {
    config: { method, seed, dataset: 'synthetic', clients: 2, alpha: 0.1 } as SimulationReport['config'],
    environment: { backend: 'x', dataset: 'synthetic', trainImages: 1, testImages: 1, modelParameters: 1 },
    partition: { kind: 'dirichlet', alpha: 0.1, clients: [] },
    rounds: [round],
    final: { knnAccuracy: knn, linearProbeAccuracy: null, uniformity: 1, effectiveRank: 5, interClientUniformity: 1, subspaceEnergy: null },
    durationMs: 60_000,
  };
}

describe('fedssd compare', () => {
  it('when two seeds of a method are summarised, then the row shows their mean and sample standard deviation', () => {
    const text = compareTables([report('ssd', 1, 0.5), report('ssd', 2, 0.7), report('baseline', 1, 0.4)]);
    expect(text).toContain('| ssd | 2 | 60.00 ± 14.14 |');
    expect(text).toContain('| baseline | 1 | 40.00 ± 0.00 |');
    expect(text).toMatch(/\| baseline \| 1 \| 40\.00 \| – \|/); // per-run row, missing probe shown as a dash
  });

  it('when charted, then every method gets a labelled line in the SVG', () => {
    const svg = compareChart([report('ssd', 1, 0.5), report('baseline', 1, 0.4)]);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('>ssd</text>');
    expect(svg).toContain('>baseline</text>');
  });
});
