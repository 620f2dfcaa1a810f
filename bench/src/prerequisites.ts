/**
 * What a benchmark needs before it starts, checked up front so a fresh machine gets one line
 * saying what to install and a non-zero exit, never a Python traceback or a stack trace halfway
 * through a side-by-side run.
 */
import { loadNativeAddon } from '@fedssd/native';
import { spawnSync } from 'node:child_process';

/** Exit code of a benchmark whose prerequisite is missing (distinct from 1, a failed measurement). */
export const MISSING_PREREQUISITE = 2;

/** A missing prerequisite: the one line to print. */
export class MissingPrerequisite extends Error {
  override readonly name = 'MissingPrerequisite';
}

/**
 * Throws MissingPrerequisite unless `python` runs and imports every module in `modules`.
 * One interpreter start (~1 s for torch); the child's traceback is reduced to its last line.
 */
export function requirePythonModules(python: string, modules: readonly string[]): void {
  const probe = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8', timeout: 120_000 });
  if (probe.error !== undefined) {
    throw new MissingPrerequisite(
      `${python} cannot run (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}): install it with ` +
        `'apt-get install python3-torch' (Debian, gives /usr/bin/python3 with PyTorch) or pass --python <interpreter with torch>`,
    );
  }
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    throw new MissingPrerequisite(
      `${python} cannot import ${modules.join(', ')} (${last}): run 'apt-get install python3-torch' (Debian) ` +
        `or pass --python <interpreter with torch>`,
    );
  }
}

/**
 * Throws MissingPrerequisite when `backend` is `auto` and the oneDNN addon is not built: `auto`
 * would silently measure the wasm fallback instead of the backend the comparison is about.
 * An explicit backend (`wasm`, `cpu`) is measured as asked.
 */
export function requireNativeForAuto(backend: string, load: () => { ok: boolean; reason?: string } = loadNativeAddon): void {
  if (backend !== 'auto') return;
  const result = load();
  if (!result.ok) {
    throw new MissingPrerequisite(
      `the native kernels are missing (${result.reason ?? 'not built'}): run 'npm run build:native' ` +
        `(needs 'apt-get install libdnnl-dev g++ make'), or pass --backend wasm to measure the wasm fallback`,
    );
  }
}

/** A benchmark's `main().catch`: a missing prerequisite or a bad flag is one line; anything else keeps its stack. */
export function exitOnError(err: unknown): void {
  if (err instanceof MissingPrerequisite) {
    console.error(`bench: ${err.message}`);
    process.exitCode = MISSING_PREREQUISITE;
    return;
  }
  if (err instanceof RangeError) {
    console.error(`bench: ${err.message}`);
    process.exitCode = MISSING_PREREQUISITE;
    return;
  }
  console.error(err);
  process.exitCode = 1;
}
