import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helper.js';

function expectUserError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
  expect(result.code).toBe(2);
}

describe('fedssd simulate: bad input', () => {
  it('when --clients and --alpha are out of range, then both flags are named with their ranges', async () => {
    const r = await runCli(['simulate', '--clients', '0', '--alpha', '-1']);
    expectUserError(r, /--clients: must be between 1 and 1000 \(got 0\)/);
    expect(r.stderr).toMatch(/--alpha: must be a number in \(0, 1000000\] \(got -1\)/);
  });

  it('when alpha is zero, then the error names --alpha', async () => {
    expectUserError(await runCli(['simulate', '--alpha', '0']), /--alpha: .*\(got 0\)/);
  });

  it('when a flag is not a number or unknown, then it is named', async () => {
    expectUserError(await runCli(['simulate', '--rounds', 'ten']), /--rounds: expected an integer, got "ten"/);
    expectUserError(await runCli(['simulate', '--colour', 'red']), /Unknown option '--colour'/);
  });

  it('when the config file is malformed JSON, then the file is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedssd-cli-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "clients": 3, ');
    expectUserError(await runCli(['simulate', '--config', file]), new RegExp(`--config ${file}: .*JSON`));
  });

  it('when the data set directory is missing, then the message says how to get it', async () => {
    const r = await runCli(['simulate', '--dataset', 'fashion-mnist', '--data-dir', '/nonexistent/fmnist']);
    expectUserError(r, /\/nonexistent\/fmnist/);
    expect(r.stderr).toMatch(/apt-get install dataset-fashion-mnist|--data-dir/);
  });

  it('when a data file is corrupt, then the error says which file is corrupt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedssd-corrupt-'));
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(join(dir, name), Buffer.from('not an idx file at all'));
    }
    expectUserError(await runCli(['simulate', '--dataset', 'mnist', '--data-dir', dir]), /corrupt IDX file/);
  });

  it('when K * m is larger than d, then the sizes are named', async () => {
    const r = await runCli(['simulate', '--clients', '10', '--slice-size', '20', '--train-limit', '400', '--batch-size', '8']);
    expectUserError(r, /10 × 20 = 200 > 128/);
  });

  it('when the batch is larger than a client can fill, then the batch size is named', async () => {
    const r = await runCli(['simulate', '--clients', '4', '--train-limit', '100', '--batch-size', '64']);
    expectUserError(r, /batchSize = 64/);
  });

  it('when asked for help, then the flags are listed and the exit code is 0', async () => {
    const r = await runCli(['simulate', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--method',
      '--dataset',
      '--data-dir',
      '--model',
      '--clients',
      '--alpha',
      '--participation',
      '--rounds',
      '--local-epochs',
      '--batch-size',
      '--lr',
      '--seed',
      '--train-limit',
      '--dsr-form',
      '--eval-every',
      '--out',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });
});
