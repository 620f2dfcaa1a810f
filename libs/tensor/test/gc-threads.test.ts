import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRAINING_NODE_FLAGS, gcThreadsNote } from '../src/index.js';

const launcher = new URL('../../../services/cli/bin/fedssd.js', import.meta.url).pathname;

describe('GC threads of training processes', () => {
  it('when node runs without --single-threaded-gc, then the note names the flag; with it, there is no note', () => {
    expect(gcThreadsNote(['--conditions=source'])).toMatch(/--single-threaded-gc/);
    expect(gcThreadsNote(['--conditions=source', ...TRAINING_NODE_FLAGS])).toBeUndefined();
  });

  it('when node is started with the training flags, then it accepts them (an unknown flag is a "bad option")', () => {
    const out = execFileSync(process.execPath, [...TRAINING_NODE_FLAGS, '-p', '6 * 7'], { encoding: 'utf8' });
    expect(out.trim()).toBe('42');
    const misspelt = spawnSync(process.execPath, ['--single-threaded-gcx', '-p', '1'], { encoding: 'utf8' });
    expect(misspelt.status).not.toBe(0);
  });

  it('when the CLI launcher is executed directly, then its shebang starts node with the training flags', () => {
    // `env -S` splits the shebang's arguments; a launcher that lost the flag, or an env without -S, fails here.
    // `npm test` builds first, so the launcher finds dist/ and `--help` exits 0.
    const probe = spawnSync(launcher, ['--help'], { encoding: 'utf8' });
    expect(probe.error).toBeUndefined();
    expect(probe.status, probe.stderr).toBe(0);
    expect(probe.stdout).toMatch(/Usage: fedssd/);
    expect(readFileSync(launcher, 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${TRAINING_NODE_FLAGS.join(' ')}`);
  });
});
