import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envUrl, loadConfig, readTlsFiles, tlsFileFields } from '../src/index.js';

const PEM = (label: string) => Buffer.from(`-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`);
const files: Record<string, Buffer> = {
  '/tls/ca.pem': PEM('CERTIFICATE'),
  '/tls/client.pem': PEM('CERTIFICATE'),
  '/tls/client.key': PEM('PRIVATE KEY'),
  '/tls/not-pem.txt': Buffer.from('hello'),
};
const readFile = (path: string) => {
  const bytes = files[path];
  if (bytes === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return bytes;
};

const Schema = z.object({ REDIS_URL: envUrl(['redis:', 'rediss:']), ...tlsFileFields('REDIS') });

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('TLS file settings', () => {
  it('when CA, certificate and key are set, then loadConfig keeps the paths and readTlsFiles returns their contents', () => {
    const config = loadConfig(Schema, {
      REDIS_URL: 'rediss://h:6380',
      REDIS_TLS_CA_FILE: '/tls/ca.pem',
      REDIS_TLS_CERT_FILE: '/tls/client.pem',
      REDIS_TLS_KEY_FILE: '/tls/client.key',
    });
    expect(config.REDIS_TLS_CA_FILE).toBe('/tls/ca.pem');
    expect(readTlsFiles('REDIS', config, { readFile })).toEqual({
      ca: files['/tls/ca.pem'],
      cert: files['/tls/client.pem'],
      key: files['/tls/client.key'],
    });
  });

  it('when no TLS file is set, then there is no TLS material (the URL scheme alone decides)', () => {
    expect(readTlsFiles('REDIS', { REDIS_URL: 'rediss://h:6380' }, { readFile })).toBeUndefined();
  });

  it('when a file is missing, another is not PEM and the key has no certificate, then every problem is listed by variable', () => {
    const problems = problemsOf(() =>
      readTlsFiles(
        'REDIS',
        { REDIS_URL: 'rediss://h', REDIS_TLS_CA_FILE: '/tls/nope.pem', REDIS_TLS_KEY_FILE: '/tls/not-pem.txt' },
        { readFile },
      ),
    );
    expect(problems).toEqual([
      'REDIS_TLS_CA_FILE: cannot read /tls/nope.pem (ENOENT)',
      'REDIS_TLS_KEY_FILE: /tls/not-pem.txt is not a PEM file (no -----BEGIN line)',
      'REDIS_TLS_CERT_FILE: must be set together with REDIS_TLS_KEY_FILE',
    ]);
  });

  it('when TLS files are set but the URL is plain redis://, then that is refused instead of silently ignored', () => {
    const problems = problemsOf(() => readTlsFiles('REDIS', { REDIS_URL: 'redis://h', REDIS_TLS_CA_FILE: '/tls/ca.pem' }, { readFile }));
    expect(problems).toEqual(['REDIS_URL: must be an amqps:// or rediss:// URL when REDIS_TLS_*_FILE is set (got a redis:// URL)']);
  });

  it('when the real file system is used, then a missing file is reported with its code', () => {
    const problems = problemsOf(() => readTlsFiles('RABBITMQ', { RABBITMQ_TLS_CA_FILE: '/definitely/not/here.pem' }));
    expect(problems).toEqual(['RABBITMQ_TLS_CA_FILE: cannot read /definitely/not/here.pem (ENOENT)']);
  });
});
