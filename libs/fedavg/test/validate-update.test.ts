import { describe, expect, it } from 'vitest';
import type { Weights } from '@fedssd/tensor';
import { validateUpdate, type UpdateVerdict } from '@fedssd/fedavg';
import { randomWeights } from './helpers.js';

const reference = randomWeights(1);
const rejected = (verdict: UpdateVerdict): [string, string] => (verdict.ok ? ['ok', ''] : [verdict.reason, verdict.message]);

describe('validateUpdate', () => {
  it('when the update matches the layout and is finite, then ok', () => {
    expect(validateUpdate(reference, randomWeights(2))).toEqual({ ok: true });
  });

  it('when a tensor is missing, then missing-tensor names it', () => {
    const update = randomWeights(2).filter((w) => w.name !== 'encoder.conv.bias');
    expect(rejected(validateUpdate(reference, update))).toEqual(['missing-tensor', 'update lacks tensor encoder.conv.bias']);
  });

  it('when an extra or repeated tensor appears, then unexpected-tensor', () => {
    const extra: Weights = [...randomWeights(2), { name: 'z.extra', shape: [1], values: Float32Array.of(0) }];
    expect(rejected(validateUpdate(reference, extra))).toEqual(['unexpected-tensor', 'update has unknown tensor z.extra']);
    const update = randomWeights(2);
    expect(rejected(validateUpdate(reference, [...update, update[0]!]))[0]).toBe('unexpected-tensor');
  });

  it('when a shape differs (even with the same size), then shape-mismatch', () => {
    const update = randomWeights(2).map((w) => (w.name === 'encoder.conv.kernel' ? { ...w, shape: [3, 3, 4, 1] } : w));
    expect(rejected(validateUpdate(reference, update))).toEqual([
      'shape-mismatch',
      'encoder.conv.kernel has shape [3,3,4,1] with 36 values, expected [3,3,1,4]',
    ]);
  });

  it('when a value is NaN or infinite, then non-finite names where', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const update = randomWeights(2);
      update[2]!.values[3] = bad;
      expect(rejected(validateUpdate(reference, update))).toEqual(['non-finite', `${update[2]!.name}[3] is ${bad}`]);
    }
  });

  it('when the norm bound is exceeded, then norm-exceeded; within it, ok', () => {
    const update = randomWeights(2);
    const norm = Math.hypot(...update.flatMap((w) => [...w.values]));
    expect(validateUpdate(reference, update, { maxL2Norm: norm * 1.001 })).toEqual({ ok: true });
    const [reason, message] = rejected(validateUpdate(reference, update, { maxL2Norm: norm * 0.5 }));
    expect(reason).toBe('norm-exceeded');
    expect(message).toMatch(/^L2 norm \d+\.\d+ exceeds maxL2Norm /);
  });
});
