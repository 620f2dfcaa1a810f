import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@fedssd/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { BN_CASES, bnErrors } from './fixtures/batch-norm-cases.js';

// Training runs on wasm where there is no native addon: the portable forward and backward
// of the fused batch norm must match the composite there too.
beforeAll(async () => {
  await initBackend('wasm');
});

describe('batchNormTrain on the wasm backend', () => {
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });
  for (const c of BN_CASES) {
    it(`when x is [${c.shape.join(', ')}]${c.relu ? ' with relu' : ''}, then output and gradients equal the composite's`, () => {
      const before = tf.memory().numTensors;
      const errors = bnErrors(c);
      expect(errors.y).toBeLessThan(1e-6);
      expect(errors.dx).toBeLessThan(1e-5);
      expect(errors.dGamma).toBeLessThan(1e-5);
      expect(errors.dBeta).toBeLessThan(1e-6);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
