import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

async function exitOf(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('static checks', () => {
  it('when the whole tree is type-checked, then tsc reports no error', async () => {
    const { code, output } = await exitOf('npx', ['tsc', '-p', 'tsconfig.json']);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('when linted, then eslint (import boundaries included) reports nothing', async () => {
    const { code, output } = await exitOf('npx', ['eslint', '--max-warnings=0', 'libs', 'services', 'tools', 'bench']);
    expect(output.trim()).toBe('');
    expect(code).toBe(0);
  });

  it('when formatted, then prettier finds every file already in the checked-in layout', async () => {
    const { code, output } = await exitOf('npx', ['prettier', '--check', '--log-level', 'warn', '.']);
    expect(output.trim()).toBe('');
    expect(code).toBe(0);
  });

  it('when the import graph is scanned, then madge finds no cycle', async () => {
    const { code, output } = await exitOf('npx', [
      'madge',
      '--circular',
      '--extensions',
      'ts',
      '--exclude',
      '(^|/)(dist|node_modules)/',
      'libs',
      'services',
    ]);
    expect(output).toContain('No circular dependency found');
    expect(code).toBe(0);
  });

  it('when built, then @fedssd/ssl and @fedssd/eval resolve from the repo root as compiled ESM', async () => {
    const script =
      "const ssl = await import('@fedssd/ssl'); const ev = await import('@fedssd/eval');" +
      "console.log(typeof ssl.ssdObjective, typeof ev.effectiveRank, import.meta.resolve('@fedssd/ssl'))";
    const { code, output } = await exitOf('node', ['--input-type=module', '-e', script]);
    expect(code).toBe(0);
    expect(output).toMatch(/^function function file:.*libs\/ssl\/dist\/index\.js/);
  });
});
