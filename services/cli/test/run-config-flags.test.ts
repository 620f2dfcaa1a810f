import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRunConfig } from '../src/run-config-flags.js';
import { UserError } from '../src/user-error.js';
import { runCli } from './cli-helper.js';

const FEDERATED = { allowFederated: true, command: 'fedssd submit' };
const messageOf = (build: () => unknown): string => {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
};

describe('run-config flags: --mode, --sites, --input-shape', () => {
  it('when a federated run is described by flags, then the lists become the config fields', () => {
    const config = buildRunConfig({ mode: 'federated', sites: 'clinic-1, clinic-2', 'input-shape': '28,28,1' }, { rounds: 3 }, FEDERATED);
    expect(config).toMatchObject({ mode: 'federated', sites: ['clinic-1', 'clinic-2'], inputShape: [28, 28, 1], rounds: 3 });
    expect(buildRunConfig({}, {}, FEDERATED).mode).toBe('simulation');
  });

  it('when a command does not allow federated mode, then --mode federated or a federated --config file is refused, saying what to use', () => {
    const flag = messageOf(() => buildRunConfig({ mode: 'federated', 'input-shape': '28,28,1' }, {}));
    expect(flag).toBe(
      '--mode federated: fedssd simulate runs simulation mode only (virtual clients of a public data set); ' +
        'start a federated run on enrolled sites with `fedssd submit --mode federated --sites a,b,c --input-shape H,W,C`',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'fedssd-flags-')), 'run.json');
    writeFileSync(file, JSON.stringify({ mode: 'federated', inputShape: [28, 28, 1] }));
    expect(messageOf(() => buildRunConfig({ config: file }, {}))).toMatch(
      new RegExp(`^--config ${file}: mode "federated": fedssd simulate`),
    );
    expect(buildRunConfig({ mode: 'simulation' }, {}).mode).toBe('simulation');
  });

  it('when the values are malformed, then each problem names its flag (and the list item)', () => {
    expect(messageOf(() => buildRunConfig({ mode: 'federated', 'input-shape': '28,x,1' }, {}, FEDERATED))).toBe(
      '--input-shape: expected integers separated by commas (e.g. 28,28,1), got "28,x,1"',
    );
    const bad = messageOf(() => buildRunConfig({ mode: 'federated', sites: 'a,,B_1', 'input-shape': '28,28,9999' }, {}, FEDERATED));
    expect(bad).toMatch(/--sites \(item 2\): must be a site name: 1-32 characters of \[a-z0-9-\] \(got ""\)/);
    expect(bad).toMatch(/--sites \(item 3\): must be a site name.*\(got "B_1"\)/);
    expect(bad).toMatch(/--input-shape \(item 3\): must be between 1 and 64 \(got 9999\)/);
    expect(messageOf(() => buildRunConfig({ mode: 'federated', 'input-shape': '28,28' }, {}, FEDERATED))).toMatch(/--input-shape: /);
    expect(messageOf(() => buildRunConfig({ mode: 'federated' }, {}, FEDERATED))).toMatch(
      /--input-shape: is required when mode is 'federated'/,
    );
    expect(messageOf(() => buildRunConfig({ mode: 'federated', sites: 'a,a', 'input-shape': '28,28,1' }, {}, FEDERATED))).toMatch(
      /--sites: must not name a site twice/,
    );
    expect(messageOf(() => buildRunConfig({ sites: 'a' }, {}, FEDERATED))).toMatch(/--sites: only applies when mode is 'federated'/);
    expect(messageOf(() => buildRunConfig({ mode: 'real' }, {}, FEDERATED))).toMatch(
      /--mode: must be one of 'simulation', 'federated' \(got "real"\)/,
    );
  });
});

describe('fedssd simulate and fedssd submit with --mode', () => {
  it('when fedssd simulate is asked for --mode federated, then exit 2 with one clear message and no stack trace', async () => {
    const r = await runCli(['simulate', '--mode', 'federated', '--sites', 'a', '--input-shape', '28,28,1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mode federated: fedssd simulate runs simulation mode only');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('when fedssd submit --mode federated runs, then the api receives mode, sites and input shape (no training-set limit) and its 400 is shown as one line', async () => {
    const bodies: unknown[] = [];
    let answer: { status: number; body: unknown } = { status: 201, body: { runId: 'run-fed-1' } };
    const server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        bodies.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: JSON.parse(text || 'null') });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const args = [
      'submit',
      '--mode',
      'federated',
      '--sites',
      'a,b',
      '--input-shape',
      '28,28,1',
      '--no-follow',
      '--api',
      api,
      '--token',
      'tok-0123456789abcdef',
    ];
    try {
      const ok = await runCli(args);
      expect(ok.stderr).toContain('run run-fed-1 created: ssd federated on sites a, b, 3 rounds');
      expect(ok.stdout).toBe('run-fed-1\n');
      expect(ok.code).toBe(0);
      expect(bodies[0]).toMatchObject({
        method: 'POST',
        url: '/v1/runs',
        auth: 'Bearer tok-0123456789abcdef',
        body: { mode: 'federated', sites: ['a', 'b'], inputShape: [28, 28, 1], rounds: 3, autoAdvance: true },
      });
      expect((bodies[0] as { body: Record<string, unknown> }).body).not.toHaveProperty('trainLimit');

      answer = {
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED', message: 'body.sites: every site must be enrolled and active; not enrolled: b' } },
      };
      const refused = await runCli(args);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('POST /v1/runs: HTTP 400: body.sites: every site must be enrolled and active; not enrolled: b');
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
