import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MissingPrerequisite, requireNativeForAuto, requirePythonModules } from '../src/prerequisites.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A stand-in `python` that behaves like an interpreter without torch: a traceback and exit 1. */
function pythonWithoutTorch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fedssd-bench-'));
  const path = join(dir, 'python3');
  writeFileSync(
    path,
    '#!/bin/sh\necho "Traceback (most recent call last):" >&2\necho \'  File "<string>", line 1\' >&2\n' +
      'echo "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n',
  );
  chmodSync(path, 0o755);
  return path;
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      },
    );
  });
}

describe('benchmark prerequisites', () => {
  it('names the Debian package when the interpreter cannot import torch, with the last line of its traceback', () => {
    expect(() => requirePythonModules(pythonWithoutTorch(), ['torch'])).toThrow(
      /cannot import torch \(ModuleNotFoundError: No module named 'torch'\): run 'apt-get install python3-torch'/,
    );
  });

  it('names the package when the interpreter does not exist', () => {
    expect(() => requirePythonModules('/nonexistent/python3', ['torch'])).toThrow(MissingPrerequisite);
    expect(() => requirePythonModules('/nonexistent/python3', ['torch'])).toThrow(/ENOENT.*apt-get install python3-torch/);
  });

  it('passes for a module the real interpreter has', () => {
    expect(() => requirePythonModules('/usr/bin/python3', ['json'])).not.toThrow();
  });

  it('asks for npm run build:native when auto would fall back to wasm, and not for an explicit backend', () => {
    const missing = () => ({ ok: false, reason: 'native kernels not built' });
    expect(() => requireNativeForAuto('auto', missing)).toThrow(/run 'npm run build:native'.*--backend wasm/);
    expect(() => requireNativeForAuto('wasm', missing)).not.toThrow();
    expect(() => requireNativeForAuto('auto', () => ({ ok: true }))).not.toThrow();
  });

  it.each(['train-bench.ts', 'extract-bench.ts'])('%s without torch: one line on stderr, exit 2, no traceback', async (script) => {
    const result = await run([`bench/src/${script}`, '--python', pythonWithoutTorch(), '--rounds', '1']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bench: .*apt-get install python3-torch/);
    expect(result.stderr).not.toMatch(/Traceback|\s{4}at /);
  });
});
