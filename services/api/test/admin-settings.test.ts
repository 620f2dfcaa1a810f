import { ConfigError, loadConfig } from '@fedssd/config';
import { FederationAdminConfigSchema } from '@fedssd/federation';
import { describe, expect, it } from 'vitest';
import { ApiConfigSchema } from '../src/index.js';
import { adminSettings } from '../src/sites/admin-settings.js';

const API_TOKEN = 'api-token-0123456789';
const ADMIN = 'admin-token-0123456789';
const load = (env: Record<string, string>) => loadConfig(ApiConfigSchema, { API_TOKEN, ...env });
const problems = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('api config: admin part', () => {
  it('when FEDSSD_ADMIN_TOKEN is not set, then the admin routes are off and the liveness window defaults to 30 s', () => {
    const config = load({});
    expect(adminSettings(config)).toEqual({ token: undefined });
    expect(config.SITE_LIVENESS_MS).toBe(30_000);
  });

  it('when only the admin token is set, then enrolment is unavailable and the message names every missing setting', () => {
    const settings = adminSettings(load({ FEDSSD_ADMIN_TOKEN: ADMIN }));
    expect(settings).toEqual({
      token: ADMIN,
      unavailable:
        'site enrolment is not configured on this api: set RABBITMQ_MANAGEMENT_URL, REDIS_ADMIN_URL in its environment (docs/OPERATIONS.md)',
    });
    const noUser = adminSettings(
      load({ FEDSSD_ADMIN_TOKEN: ADMIN, RABBITMQ_MANAGEMENT_URL: 'http://rabbit:15672', REDIS_ADMIN_URL: 'redis://r:6379' }),
    );
    expect(noUser).toMatchObject({
      unavailable: expect.stringContaining('RABBITMQ_ADMIN_USER and RABBITMQ_ADMIN_PASSWORD (or credentials in RABBITMQ_MANAGEMENT_URL)'),
    });
  });

  it('when the enrolment settings are complete, then they become a config @fedssd/federation accepts, prefix and site URLs included', () => {
    const settings = adminSettings(
      load({
        FEDSSD_ADMIN_TOKEN: ADMIN,
        RABBITMQ_MANAGEMENT_URL: 'http://admin:pw@rabbit:15672',
        REDIS_ADMIN_URL: 'redis://default:pw@redis:6379',
        FEDSSD_PREFIX: 'prod',
        FEDSSD_SITE_RABBITMQ_URL: 'amqps://rabbit.example.org:5671',
      }),
    );
    expect('federation' in settings).toBe(true);
    const federation = (settings as { federation: Record<string, unknown> }).federation;
    // No key the enrolment library does not know (the two schemas cannot drift apart silently).
    expect(Object.keys(federation).filter((key) => !(key in FederationAdminConfigSchema.shape))).toEqual([]);
    expect(FederationAdminConfigSchema.parse(federation)).toMatchObject({
      RABBITMQ_MANAGEMENT_URL: 'http://admin:pw@rabbit:15672',
      REDIS_ADMIN_URL: 'redis://default:pw@redis:6379',
      FEDSSD_PREFIX: 'prod',
      RABBITMQ_VHOST: '/',
      FEDSSD_SITE_RABBITMQ_URL: 'amqps://rabbit.example.org:5671',
      FEDSSD_SITE_REDIS_URL: 'redis://127.0.0.1:6379',
    });
    const withUser = adminSettings(
      load({
        FEDSSD_ADMIN_TOKEN: ADMIN,
        RABBITMQ_MANAGEMENT_URL: 'http://rabbit:15672',
        RABBITMQ_ADMIN_USER: 'admin',
        RABBITMQ_ADMIN_PASSWORD: 'pw',
        REDIS_ADMIN_URL: 'redis://r:6379',
      }),
    );
    expect(withUser).toMatchObject({ federation: { RABBITMQ_ADMIN_USER: 'admin', RABBITMQ_ADMIN_PASSWORD: 'pw' } });
  });

  it('when the admin token equals the API token or is short, then start-up fails naming FEDSSD_ADMIN_TOKEN and never the token', () => {
    const same = problems({ FEDSSD_ADMIN_TOKEN: API_TOKEN });
    expect(same).toContain('FEDSSD_ADMIN_TOKEN: must differ from API_TOKEN');
    expect(same).not.toContain(API_TOKEN);
    expect(problems({ FEDSSD_ADMIN_TOKEN: 'short' })).toContain('FEDSSD_ADMIN_TOKEN: must be at least 16 characters (got 5)');
  });

  it('when SITE_LIVENESS_MS or an admin URL is out of range, then each is named', () => {
    const message = problems({ SITE_LIVENESS_MS: '500', REDIS_ADMIN_URL: 'http://x', RABBITMQ_MANAGEMENT_URL: 'amqp://x' });
    expect(message).toContain('SITE_LIVENESS_MS: must be between 1000 and 86400000 (got 500)');
    expect(message).toMatch(/REDIS_ADMIN_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(message).toMatch(/RABBITMQ_MANAGEMENT_URL: must be a http:\/\/ or https:\/\/ URL/);
  });

  it('when the admin token comes from a mounted file, then FEDSSD_ADMIN_TOKEN_FILE is read', () => {
    const config = loadConfig(
      ApiConfigSchema,
      { API_TOKEN, FEDSSD_ADMIN_TOKEN_FILE: '/run/secrets/admin-token' },
      { readFile: (path) => (path === '/run/secrets/admin-token' ? `${ADMIN}\n` : '') },
    );
    expect(config.FEDSSD_ADMIN_TOKEN).toBe(ADMIN);
  });
});
