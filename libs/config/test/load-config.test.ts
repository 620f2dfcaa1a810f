import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envBool, envInt, envLogLevel, envPort, envSecret, envUrl, loadConfig } from '../src/index.js';

const Schema = z.object({
  API_PORT: envPort().default(8080),
  API_TOKEN: envSecret(16),
  RABBITMQ_URL: envUrl(['amqp:', 'amqps:']).default('amqp://127.0.0.1:5672'),
  LOG_LEVEL: envLogLevel().default('info'),
  AUTO_ADVANCE: envBool().default(false),
  WORKERS: envInt(1, 64).default(2),
});

const token = 'a-long-enough-token';

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('when only required variables are set, then defaults fill the rest and numbers are numbers', () => {
    const config = loadConfig(Schema, { API_TOKEN: token, PATH: '/usr/bin' });
    expect(config).toEqual({
      API_PORT: 8080,
      API_TOKEN: token,
      RABBITMQ_URL: 'amqp://127.0.0.1:5672',
      LOG_LEVEL: 'info',
      AUTO_ADVANCE: false,
      WORKERS: 2,
    });
    expect(config).not.toHaveProperty('PATH');
  });

  it('when several variables are wrong, then one ConfigError lists every problem with the range and the value', () => {
    const problems = problemsOf(() =>
      loadConfig(Schema, { API_PORT: '0', RABBITMQ_URL: 'http://user:secret@x', LOG_LEVEL: 'loud', AUTO_ADVANCE: 'maybe', WORKERS: '2.5' }),
    );
    expect(problems).toContain('API_PORT: must be between 1 and 65535 (got 0)');
    expect(problems).toContain('API_TOKEN: must be set (directly or through the matching _FILE variable)');
    expect(problems.find((p) => p.startsWith('RABBITMQ_URL:'))).toMatch(/amqp:\/\/ or amqps:\/\//);
    expect(problems).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
    expect(problems.find((p) => p.startsWith('AUTO_ADVANCE:'))).toMatch(/got "maybe"/);
    expect(problems).toContain('WORKERS: must be an integer between 1 and 64 (got "2.5")');
    expect(problems).toHaveLength(6);
  });

  it('when a URL with credentials is rejected, then the message does not echo the secret', () => {
    const problems = problemsOf(() => loadConfig(Schema, { API_TOKEN: token, RABBITMQ_URL: 'http://user:hunter2@x' }));
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('when a boolean is "false" or "0", then it parses as false (no truthy-string trap)', () => {
    expect(loadConfig(Schema, { API_TOKEN: token, AUTO_ADVANCE: 'false' }).AUTO_ADVANCE).toBe(false);
    expect(loadConfig(Schema, { API_TOKEN: token, AUTO_ADVANCE: '0' }).AUTO_ADVANCE).toBe(false);
    expect(loadConfig(Schema, { API_TOKEN: token, AUTO_ADVANCE: 'TRUE' }).AUTO_ADVANCE).toBe(true);
  });

  it('when a variable is set to the empty string, then it counts as unset', () => {
    expect(loadConfig(Schema, { API_TOKEN: token, API_PORT: '' }).API_PORT).toBe(8080);
  });

  it('when X_FILE names a file, then its contents (minus one trailing newline) win over X', () => {
    const files: Record<string, string> = { '/run/secrets/token': 'from-the-mounted-file\n' };
    const readFile = (path: string) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return text;
    };
    const config = loadConfig(Schema, { API_TOKEN: 'from-the-env-variable', API_TOKEN_FILE: '/run/secrets/token' }, { readFile });
    expect(config.API_TOKEN).toBe('from-the-mounted-file');
  });

  it("when another tool's *_FILE variable is set, then it is ignored (only the schema's variables are read from files)", () => {
    const readFile = () => {
      throw new Error('must not be called');
    };
    expect(loadConfig(Schema, { API_TOKEN: token, TF_CLI_CONFIG_FILE: '/root/.terraformrc' }, { readFile }).API_TOKEN).toBe(token);
  });

  it('when X_FILE names a missing file, then that is listed with the other problems', () => {
    const readFile = () => {
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    };
    const problems = problemsOf(() => loadConfig(Schema, { API_TOKEN_FILE: '/nope', API_PORT: '70000' }, { readFile }));
    expect(problems).toContain('API_TOKEN_FILE: cannot read /nope (ENOENT)');
    expect(problems).toContain('API_PORT: must be between 1 and 65535 (got 70000)');
  });

  it('when the default file reader is used, then a real file is read', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'fedssd-config-'));
    writeFileSync(join(dir, 'token'), `${token}\n`);
    expect(loadConfig(Schema, { API_TOKEN_FILE: join(dir, 'token') }).API_TOKEN).toBe(token);
  });
});
