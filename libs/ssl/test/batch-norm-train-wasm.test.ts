import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@fedssd/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { itMatchesCompositeForEveryCase } from './fixtures/batch-norm-cases.js';

// Training runs on wasm where there is no native addon: the portable forward and backward
// of the fused batch norm must match the composite there too.
beforeAll(async () => {
  await initBackend('wasm');
});

describe('batchNormTrain on the wasm backend', () => {
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });
  itMatchesCompositeForEveryCase();
});
