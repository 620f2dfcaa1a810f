import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@fedssd/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseMismatches, loadLossCases } from './fixtures/losses-fixture.js';

// Training runs on wasm, which lacks some gradient kernels (e.g. gather's); the losses must not
// depend on them, so the same PyTorch reference cases run here on the wasm backend.
beforeAll(async () => {
  await initBackend('wasm');
});

describe('ssdObjective on the wasm backend', () => {
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });
  for (const c of loadLossCases()) {
    it(`when given case "${c.name}", then values and gradients match the reference`, () => {
      expect(caseMismatches(c)).toEqual([]);
    });
  }
});
