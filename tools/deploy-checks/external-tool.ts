/**
 * Finding the command-line tools the deploy checks drive (promtool, docker-compose, kubectl).
 * Under CI=true a missing tool is a failure that names the Debian package to install; on a
 * developer machine the test is skipped with that same message, never silently.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian package (or other source) that provides each tool. */
export const TOOL_SOURCES: Record<string, string> = {
  promtool: 'apt-get install -y --no-install-recommends prometheus',
  'docker-compose': 'apt-get install -y --no-install-recommends docker-compose',
  kubectl: 'kubectl (ships kustomize; present on the project machines)',
};

/** Absolute path of `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** True when running under CI (`CI=true`), where missing tools fail instead of skipping. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Why a tool is unusable, or undefined when it is on PATH. */
export function missingToolMessage(name: string): string | undefined {
  if (which(name) !== undefined) return undefined;
  return `${name} is not installed (needed by the deploy checks): ${TOOL_SOURCES[name] ?? 'install it'}`;
}

/** Result of one tool run: exit code 0 on success, otherwise the failing code, with all output. */
export async function runTool(name: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(name, args, {
      cwd,
      maxBuffer: 32 * 1024 * 1024,
      env: { ...process.env, COMPOSE_INTERACTIVE_NO_CLI: '1' },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 127,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.stdout || e.stderr ? '' : (e.message ?? '')}`,
    };
  }
}
