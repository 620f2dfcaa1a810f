import { describe, expect, it } from 'vitest';
import {
  activeRunsKey,
  brokerNames,
  fenceKey,
  inboxKey,
  leaseKey,
  metricsKey,
  modelKey,
  roundKey,
  runKey,
  runsIndexKey,
  targetsKey,
  updateKey,
} from '../src/index.js';

describe('keys', () => {
  it('when building keys, then they carry run, version, round and client under one hash tag', () => {
    expect(runKey('r1')).toBe('fedssd:run:{r1}');
    expect(modelKey('r1', 3)).toBe('fedssd:run:{r1}:model:v3');
    expect(roundKey('r1', 2)).toBe('fedssd:run:{r1}:round:2');
    expect(updateKey('r1', 2, 7)).toBe('fedssd:run:{r1}:round:2:update:7');
    expect(targetsKey('r1')).toBe('fedssd:run:{r1}:targets');
    expect(metricsKey('r1')).toBe('fedssd:run:{r1}:metrics');
    expect(runsIndexKey()).toBe('fedssd:runs');
  });

  it('when building the ownership keys of a run, then lease, fence and inbox share its hash tag (one slot for the fenced scripts)', () => {
    expect(leaseKey('r1')).toBe('fedssd:run:{r1}:lease');
    expect(fenceKey('r1')).toBe('fedssd:run:{r1}:fence');
    expect(inboxKey('r1')).toBe('fedssd:run:{r1}:inbox');
    expect(activeRunsKey()).toBe('fedssd:runs:active');
  });

  it('when two runs, rounds or clients differ, then their keys differ', () => {
    const keys = new Set([updateKey('a', 1, 1), updateKey('b', 1, 1), updateKey('a', 2, 1), updateKey('a', 1, 2), updateKey('a', 11, 1)]);
    expect(keys.size).toBe(5);
  });

  it.each([
    [() => runKey('a:b'), 'runId must be 1-64 characters'],
    [() => runKey(''), 'runId must be 1-64 characters'],
    [() => modelKey('r', -1), 'version must be an integer between 0 and 10000 (got -1)'],
    [() => roundKey('r', 0), 'round must be an integer between 1 and 10000 (got 0)'],
    [() => updateKey('r', 1, 1000), 'clientId must be an integer between 0 and 999 (got 1000)'],
    [() => updateKey('r', 1.5, 1), 'round must be an integer between 1 and 10000 (got 1.5)'],
  ])('when an argument is out of range, then it throws naming it', (build, message) => {
    expect(build).toThrow(RangeError);
    expect(build).toThrow(message);
  });
});

describe('brokerNames', () => {
  it('when no prefix is given, then returns the production names', () => {
    expect(brokerNames()).toEqual({
      control: 'fedssd.control',
      jobs: 'fedssd.jobs',
      updates: 'fedssd.updates',
      dead: 'fedssd.dead',
      jobFailures: 'fedssd.job-failures',
      events: 'fedssd.events',
      dlx: 'fedssd.dlx',
    });
  });

  it('when a prefix is given, then every name carries it', () => {
    for (const name of Object.values(brokerNames('t1'))) expect(name.startsWith('t1.fedssd.')).toBe(true);
  });
});
