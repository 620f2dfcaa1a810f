import { loadConfig, ConfigError } from '@fedssd/config';
import { redisConnectionOptions } from '@fedssd/transport';
import { describe, expect, it } from 'vitest';
import { FederationAdminConfigSchema, sentinelLoginAcl } from '../src/index.js';

describe('enrolment with replicas and Sentinels', () => {
  it('when FEDSSD_SITE_REDIS_SENTINELS is set without REDIS_ADMIN_SENTINEL_URLS, then the config is refused naming the missing field', () => {
    expect(() => loadConfig(FederationAdminConfigSchema, { FEDSSD_SITE_REDIS_SENTINELS: 's1:26379' })).toThrow(ConfigError);
    expect(() => loadConfig(FederationAdminConfigSchema, { FEDSSD_SITE_REDIS_SENTINELS: 's1:26379' })).toThrow(
      /REDIS_ADMIN_SENTINEL_URLS.*is required with FEDSSD_SITE_REDIS_SENTINELS/,
    );
  });

  it('when replica and Sentinel admin URLs are lists, then they parse; a bad one is refused without echoing its password', () => {
    const config = loadConfig(FederationAdminConfigSchema, {
      REDIS_ADMIN_REPLICA_URLS: 'redis://r2:6379, redis://r3:6379',
      REDIS_ADMIN_SENTINEL_URLS: 'redis://admin:pw@s1:26379',
      FEDSSD_SITE_REDIS_SENTINELS: 's1:26379,s2:26379',
    });
    expect(config.REDIS_ADMIN_REPLICA_URLS).toBe('redis://r2:6379,redis://r3:6379');
    expect(config.FEDSSD_SITE_REDIS_SENTINELS).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ]);
    let message = '';
    try {
      loadConfig(FederationAdminConfigSchema, { REDIS_ADMIN_SENTINEL_URLS: 'http://admin:s3cret@s1:26379' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/REDIS_ADMIN_SENTINEL_URLS: must be 1-16 comma-separated redis:\/\/ or rediss:\/\/ URLs/);
    expect(message).not.toContain('s3cret');
  });

  it("when a user gets a Sentinel login, then it may run only the two lookups ioredis sends, with its Redis user's password", () => {
    expect(sentinelLoginAcl('>pw')).toEqual(['reset', 'on', '>pw', '-@all', '+sentinel|get-master-addr-by-name', '+sentinel|sentinels']);
    expect(() => sentinelLoginAcl('nopass')).toThrow(/password/);
  });

  it("when a service or site connects through Sentinels, then it logs in to them as REDIS_URL's user", () => {
    const { options } = redisConnectionOptions('redis://prod-site-a:p%40ss@ignored:6379/0', {
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'fedssd',
    });
    expect(options).toMatchObject({ username: 'prod-site-a', password: 'p@ss', sentinelUsername: 'prod-site-a', sentinelPassword: 'p@ss' });
    const anonymous = redisConnectionOptions('redis://ignored:6379', { sentinels: [{ host: 's1', port: 26379 }], name: 'fedssd' }).options;
    expect(anonymous.sentinelUsername).toBeUndefined();
    expect(anonymous.sentinelPassword).toBeUndefined();
  });
});
