import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, waitFor } from '../../tools/test-support/processes.js';
import { TINY_RUN } from './helpers/reference.js';
import { createStack, skipOrFail, startServices, waitHealthy, type Stack } from './helpers/stack.js';

/**
 * Event replay across a dropped connection: `fedssd submit` follows a 3-round run through the
 * api while the api process is killed (SIGKILL: the SSE connection drops without a goodbye) and
 * started again mid-run. The CLI must reconnect by itself with Last-Event-ID and print every
 * event of the run's log (real Redis) exactly once, in the log's order.
 */
let stack: Stack | string;

beforeAll(async () => {
  stack = await createStack('replay');
  if (typeof stack === 'string') return;
  await startServices(stack, ['t1']);
});
afterAll(async () => {
  if (typeof stack !== 'string') await stack?.cleanup();
});

/** Starts `fedssd submit` for TINY_RUN (3 rounds) against the stack's api; resolves with its exit code and output. */
function submit(s: Stack) {
  const args = ['submit', '--api', s.apiUrl, '--token', s.token, '--rounds', '3', '--clients', String(TINY_RUN.clients)];
  args.push('--train-limit', String(TINY_RUN.trainLimit), '--batch-size', String(TINY_RUN.batchSize), '--alpha', String(TINY_RUN.alpha));
  args.push('--local-epochs', '1', '--seed', String(TINY_RUN.seed), '--eval-every', '100');
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', `${ROOT}services/cli/src/main.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

describe('event replay', () => {
  it('when the api is killed and restarted mid-run, then fedssd submit reconnects with Last-Event-ID and prints every event exactly once', async (ctx) => {
    if (typeof stack === 'string') return skipOrFail(stack, ctx.skip);
    const s = stack;
    const cli = submit(s);
    try {
      const runId = await waitFor('the run id', async () => /run (\S+) created/.exec(cli.stderr())?.[1], 60_000, 100);
      // Mid-run: the CLI has printed round 1's events and round 2 is open.
      await waitFor('round 2 opened in the CLI', async () => (cli.stderr().includes('round 2 opened') ? true : undefined), 120_000, 50);
      await s.services.get('api')!.kill();
      const killedAt = cli.stderr().length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      s.start('api', 'api');
      await waitHealthy(s);
      expect(await cli.done, cli.stderr()).toBe(0);
      const err = cli.stderr();
      // The fault landed: the CLI saw the stream drop and reconnected.
      expect(err.slice(killedAt)).toMatch(/event stream lost .*reconnecting/);
      const log = await s.runs.readEvents(runId, undefined, 1_000);
      const expected = log.map((e) => {
        const m = e.message;
        if (m.type === 'run.finished') return 'run finished';
        return `round ${'round' in m ? m.round : '?'} ${m.type.slice('round.'.length)}`;
      });
      const printed = err
        .split('\n')
        .map((line) => /^(round \d+ (?:opened|closed|evaluated)|run finished)/.exec(line)?.[1])
        .filter((x): x is string => x !== undefined);
      expect(printed).toEqual(expected);
      expect(expected).toEqual([
        'round 1 opened',
        'round 1 closed',
        'round 2 opened',
        'round 2 closed',
        'round 3 opened',
        'round 3 evaluated',
        'round 3 closed',
        'run finished',
      ]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- cli ---\n${cli.stderr()}\n${s.dump()}`, { cause: error });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
