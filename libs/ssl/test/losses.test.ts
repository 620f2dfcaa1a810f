import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseMismatches, loadLossCases } from './fixtures/losses-fixture.js';

const cases = loadLossCases();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ssdObjective against the PyTorch reference (float64, released-code style)', () => {
  it('has fixtures covering code and paper DSR, a batch of 2, d = 128 and the baseline', () => {
    expect(cases.map((c) => c.name)).toHaveLength(6);
    expect(cases.some((c) => c.n === 2)).toBe(true);
    expect(cases.some((c) => c.d === 128)).toBe(true);
    expect(cases.some((c) => c.opts.dsr?.form === 'paper')).toBe(true);
  });

  for (const c of cases) {
    it(`when given case "${c.name}", then every term and every gradient matches`, () => {
      expect(caseMismatches(c)).toEqual([]);
    });
  }
});
