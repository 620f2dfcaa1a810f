import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RabbitManagement } from '@fedssd/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedisServer, type PrivateRedisServer } from '../../../libs/transport/test/private-redis.js';
import { ROOT } from '../../../tools/test-support/processes.js';
import { runCli } from './cli-helper.js';

const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const unavailable = await new RabbitManagement({ url: MANAGEMENT_URL, timeoutMs: 2_000 }).hasUser('guest').then(
  () => undefined,
  (error: Error) => error.message,
);
if (unavailable !== undefined) {
  if (process.env.CI === 'true') throw new Error(`CI=true and the RabbitMQ management API does not answer: ${unavailable}`);
  console.warn(`[cli] site command tests skipped: ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)('fedssd site add | list | revoke', () => {
  let redis: PrivateRedisServer;
  let dir: string;
  const prefix = `clitest-${randomUUID().slice(0, 8)}`;
  const rabbit = new RabbitManagement({ url: MANAGEMENT_URL });
  const env = (extra: Record<string, string> = {}) => {
    const { RABBITMQ_ADMIN_USER: _u, RABBITMQ_ADMIN_PASSWORD: _p, ...base } = process.env;
    return {
      ...base,
      RABBITMQ_MANAGEMENT_URL: 'http://127.0.0.1:15672',
      RABBITMQ_ADMIN_USER: 'guest',
      RABBITMQ_ADMIN_PASSWORD_FILE: join(dir, 'admin-password'),
      REDIS_ADMIN_URL: `redis://127.0.0.1:${redis.port}`,
      FEDSSD_PREFIX: prefix,
      FEDSSD_SITE_RABBITMQ_URL: 'amqps://rabbit.example.org:5671',
      ...extra,
    };
  };

  beforeAll(async () => {
    redis = await startPrivateRedisServer();
    dir = await mkdtemp(join(tmpdir(), 'fedssd-site-cli-'));
    await writeFile(join(dir, 'admin-password'), 'guest\n');
  });
  afterAll(async () => {
    await rabbit.deleteUser(`${prefix}-site-clinic-1`);
    await rabbit.deleteQueue(`${prefix}.fedssd.jobs.site.clinic-1`);
    await rabbit.deleteExchange(`${prefix}.fedssd.site-jobs`);
    await redis?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when a site is added, listed, added again and revoked, then each step says what it did and the bundle is private', async () => {
    const out = join(dir, 'bundles');
    const added = await runCli(['site', 'add', 'clinic-1', '--samples', '5000', '--out', out], 60_000, env());
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`enrolled site clinic-1 (user ${prefix}-site-clinic-1, at most 5000 samples per update)`);
    const envFile = await readFile(join(out, 'clinic-1.env'), 'utf8');
    expect(envFile).toMatch(new RegExp(`^RABBITMQ_URL=amqps://${prefix}-site-clinic-1:[A-Za-z0-9_-]{43}@rabbit.example.org:5671$`, 'm'));
    expect((await stat(join(out, 'clinic-1.env'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(out, 'clinic-1-secret.yaml'))).mode & 0o777).toBe(0o600);

    const again = await runCli(['site', 'add', 'clinic-1', '--out', join(dir, 'other')], 60_000, env());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^fedssd: site clinic-1 already exists \(enrolled .*\); site names are never reused/);

    const listed = await runCli(['site', 'list', '--json'], 60_000, env());
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'clinic-1', state: 'active', declaredSamples: 5000 })]);

    const revoked = await runCli(['site', 'revoke', 'clinic-1'], 60_000, env());
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked site clinic-1 at .*: users deleted, job queue deleted/);
    expect(await rabbit.hasUser(`${prefix}-site-clinic-1`)).toBe(false);
    const after = await runCli(['site', 'list'], 60_000, env());
    expect(after.stdout).toMatch(/clinic-1\s+revoked\s+5000/);
  });

  it.each([
    [['site', 'add', 'Bad_Name'], {}, 'site name must be 1-32 characters of [a-z0-9-]'],
    [['site', 'add', 'ok', '--samples', '0'], {}, '--samples: must be an integer between 1 and 100000000 (got "0")'],
    [['site', 'revoke'], {}, 'site revoke: NAME is required'],
    [
      ['site', 'list'],
      { RABBITMQ_ADMIN_PASSWORD_FILE: '/nope/password' },
      'RABBITMQ_ADMIN_PASSWORD_FILE: cannot read /nope/password (ENOENT)',
    ],
    [['site', 'list'], { REDIS_ADMIN_URL: 'redis://127.0.0.1:1' }, 'cannot connect to Redis at REDIS_ADMIN_URL'],
  ])('when run as %j with a bad setting, then it exits 2 with one clear line', async (args, extra, message) => {
    const result = await runCli(args, 60_000, env(extra));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Refused before anything was created: no default bundle folder appeared in the working directory.
    expect(existsSync(join(ROOT, 'sites'))).toBe(false);
  });
});
