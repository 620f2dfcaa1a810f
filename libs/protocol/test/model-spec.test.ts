import { describe, expect, it } from 'vitest';
import { formatZodError, ModelSpecSchema, RunRecordSchema, specKey } from '../src/index.js';

describe('model spec record', () => {
  it('when the spec key is built, then it sits under the run hash tag', () => {
    expect(specKey('r1')).toBe('fedssd:run:{r1}:spec');
    expect(() => specKey('{r2}')).toThrow(/runId must be/);
  });

  it('when a resolved spec is parsed, then it round-trips unchanged', () => {
    for (const spec of [
      { kind: 'small', inputShape: [28, 28, 1], featureDim: 128, width: 1 },
      { kind: 'resnet18', inputShape: [32, 32, 3], featureDim: 128, width: 0.25 },
    ])
      expect(ModelSpecSchema.parse(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('when a stored spec is malformed, then every bad field is named with its range', () => {
    const parsed = ModelSpecSchema.safeParse({ kind: 'vit', inputShape: [2, 28], featureDim: 0, width: 9 });
    expect(parsed.success).toBe(false);
    const lines = formatZodError(parsed.error!);
    expect(lines).toContain("kind: must be one of 'small', 'small-signed', 'resnet18' (got \"vit\")");
    expect(lines.some((l) => l.startsWith('inputShape'))).toBe(true);
    expect(lines).toContain('featureDim: must be between 1 and 65536 (got 0)');
    expect(lines).toContain('width: must be a number in (0, 4] (got 9)');
  });
});

describe('RunRecordSchema.requestedRound', () => {
  it('when absent or a non-negative integer, then the record parses; a negative or fractional one is refused', () => {
    const base = {
      runId: 'r1',
      config: {},
      status: 'created',
      createdAt: 't',
      updatedAt: 't',
      currentRound: 0,
      roundStatus: 'none',
      globalVersion: 0,
    };
    expect(RunRecordSchema.safeParse(base).success).toBe(true);
    expect(RunRecordSchema.parse({ ...base, requestedRound: 2 }).requestedRound).toBe(2);
    expect(RunRecordSchema.safeParse({ ...base, requestedRound: -1 }).success).toBe(false);
    expect(RunRecordSchema.safeParse({ ...base, requestedRound: 1.5 }).success).toBe(false);
  });
});
