import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { credentialsBundle } from '../src/index.js';
import { validateObject } from '../../../tools/deploy-checks/k8s-validate.js';

const creds = {
  site: 'clinic-1',
  prefix: 'prod',
  user: 'prod-site-clinic-1',
  rabbitPassword: 'r-Pass_1',
  redisPassword: 'd-Pass_2',
  rabbitUrl: 'amqps://rabbit.example.org:5671',
  redisUrl: 'rediss://redis.example.org:6380',
  enrolledAt: '2026-12-05T10:00:00.000Z',
};

const envOf = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('credentials bundle', () => {
  it('when a site is enrolled, then the env file carries its name, prefix, URLs with its own user and a data-dir placeholder', () => {
    const env = envOf(credentialsBundle(creds).envFile);
    expect(env).toEqual({
      SITE_NAME: 'clinic-1',
      FEDSSD_PREFIX: 'prod',
      RABBITMQ_URL: 'amqps://prod-site-clinic-1:r-Pass_1@rabbit.example.org:5671',
      REDIS_URL: 'rediss://prod-site-clinic-1:d-Pass_2@redis.example.org:6380',
      SITE_DATA_DIR: '/path/to/this/site/images',
    });
    expect(credentialsBundle(creds).envFile).toContain('# RABBITMQ_TLS_CA_FILE=/etc/fedssd/tls/ca.pem');
  });

  it('when the Secret manifest is parsed, then it passes the Kubernetes schema and holds the same variables', () => {
    const { secretYaml, envFile } = credentialsBundle(creds);
    const secret = parse(secretYaml) as { kind: string; metadata: { name: string }; stringData: Record<string, string> };
    expect(validateObject(secret as never)).toEqual([]);
    expect(secret.metadata.name).toBe('fedssd-site');
    const env = envOf(envFile);
    delete env.SITE_DATA_DIR;
    expect(secret.stringData).toEqual(env);
  });

  it('when the deployment uses Sentinels, then the env file names them (IPv6 in brackets) and the primary name', () => {
    const sentinels = [
      { host: 's1.example.org', port: 26379 },
      { host: '::1', port: 26380 },
    ];
    const env = envOf(credentialsBundle({ ...creds, redisSentinels: { sentinels, name: 'fedssd' } }).envFile);
    expect(env.REDIS_SENTINELS).toBe('s1.example.org:26379,[::1]:26380');
    expect(env.REDIS_SENTINEL_NAME).toBe('fedssd');
    expect(env.REDIS_URL).toBe('rediss://prod-site-clinic-1:d-Pass_2@redis.example.org:6380');
  });

  it('when there is no prefix, then FEDSSD_PREFIX is left out', () => {
    expect(envOf(credentialsBundle({ ...creds, prefix: '' }).envFile)).not.toHaveProperty('FEDSSD_PREFIX');
  });
});
