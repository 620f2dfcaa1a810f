import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '@fedssd/tensor';
import { describe, expect, it } from 'vitest';
import { dataConvGrads, EAGER_CASES, symmetricPadConv } from './fixtures/eager-ops-cases.js';

// The wasm backend trains too (with libs/tensor's replacement gradient kernels), so both run here.
describe.each(['cpu', 'wasm'] as const)('eager-releasing ops on the %s backend', (backend) => {
  it('selects the backend', async () => {
    if (backend === 'cpu') await tf.setBackend('cpu');
    else await initBackend('wasm');
    expect(tf.getBackend()).toBe(backend);
  });

  for (const c of EAGER_CASES) {
    it(`when computing ${c.name}, then output and gradients equal the TF.js op's exactly and nothing leaks`, () => {
      const before = tf.memory().numTensors;
      const [eager, reference] = c.run();
      expect(eager.length).toBe(reference.length);
      eager.forEach((v, i) => expect(v).toEqual(reference[i]));
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('when a stride-2 conv takes pad 1, then output and gradients match tf.pad + a valid conv (the old form) to float rounding', () => {
    const [eager, reference] = symmetricPadConv();
    expect(eager.map((v) => v.length)).toEqual(reference.map((v) => v.length));
    eager.forEach((v, i) => {
      const worst = v.reduce((m, x, j) => Math.max(m, Math.abs(x - reference[i]![j]!)), 0);
      expect(worst, `output/gradient ${i}`).toBeLessThan(1e-5);
    });
  });

  it('when a conv is fed by the data (inputGrad false), then its input gradient is zeros and the filter gradient is unchanged', () => {
    const { dx, df, dfReference } = dataConvGrads();
    expect(dx.every((v) => v === 0)).toBe(true);
    expect(df).toEqual(dfReference);
  });
});
