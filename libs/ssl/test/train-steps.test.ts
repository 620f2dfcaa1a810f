import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { STEP_SPECS, trainSummary, type StepsSummary } from './fixtures/train-steps-reference.js';

// Produced by fixtures/train-steps-reference.ts at commit 2ef402b, before batch norm, conv,
// max-pool and the residual ReLU became customGrad nodes (tf.moments + tf.batchNorm + tf.relu):
// the rewrite may change the last bits, not the training.
const reference = JSON.parse(readFileSync(new URL('./fixtures/train-steps-reference.json', import.meta.url), 'utf8')) as StepsSummary[];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a few training steps against the pre-fusion implementation', () => {
  for (const { name, spec, steps } of STEP_SPECS) {
    it(`when ${name} trains ${steps} steps from fixed weights, then loss and every weight tensor agree with the reference`, async () => {
      const before = tf.memory().numTensors;
      const ref = reference.find((r) => r.model === name);
      expect(ref).toBeDefined();
      const now = await trainSummary(name, spec, steps);
      expect(Math.abs(now.loss - (ref?.loss ?? NaN))).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref?.loss ?? 0)));
      expect(Object.keys(now.weights)).toEqual(Object.keys(ref?.weights ?? {}));
      for (const [weight, [norm, projection]] of Object.entries(now.weights)) {
        const [refNorm = NaN, refProjection = NaN] = ref?.weights[weight] ?? [];
        const scale = Math.max(refNorm, 1e-3);
        expect(Math.abs(norm - refNorm) / scale, `${weight} norm`).toBeLessThan(1e-4);
        expect(Math.abs(projection - refProjection) / scale, `${weight} projection`).toBeLessThan(1e-3);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
