import type { FederationAdminConfig } from '@fedssd/federation';
import type { ApiConfig } from '../config.js';

/**
 * What the admin routes can do with this environment: off (no admin token), on but unable to
 * enrol (`unavailable` names the missing settings, answered as 503 ADMIN_DISABLED after the
 * admin token was checked), or on with the enrolment config `@fedssd/federation` takes.
 */
export type AdminSettings =
  { token: undefined } | { token: string; unavailable: string } | { token: string; federation: FederationAdminConfig };

function hasUrlCredentials(url: string): boolean {
  const parsed = new URL(url);
  return parsed.username !== '' && parsed.password !== '';
}

/** Reads the admin part of a parsed api config. Pure: no connection is made here. */
export function adminSettings(config: ApiConfig): AdminSettings {
  const token = config.FEDSSD_ADMIN_TOKEN;
  if (token === undefined) return { token };
  const missing: string[] = [];
  const management = config.RABBITMQ_MANAGEMENT_URL;
  if (management === undefined) missing.push('RABBITMQ_MANAGEMENT_URL');
  else if (!hasUrlCredentials(management) && (config.RABBITMQ_ADMIN_USER === undefined || config.RABBITMQ_ADMIN_PASSWORD === undefined)) {
    missing.push('RABBITMQ_ADMIN_USER and RABBITMQ_ADMIN_PASSWORD (or credentials in RABBITMQ_MANAGEMENT_URL)');
  }
  if (config.REDIS_ADMIN_URL === undefined) missing.push('REDIS_ADMIN_URL');
  if (management === undefined || config.REDIS_ADMIN_URL === undefined || missing.length > 0) {
    return {
      token,
      unavailable: `site enrolment is not configured on this api: set ${missing.join(', ')} in its environment (docs/OPERATIONS.md)`,
    };
  }
  return {
    token,
    federation: {
      RABBITMQ_MANAGEMENT_URL: management,
      ...(config.RABBITMQ_ADMIN_USER !== undefined ? { RABBITMQ_ADMIN_USER: config.RABBITMQ_ADMIN_USER } : {}),
      ...(config.RABBITMQ_ADMIN_PASSWORD !== undefined ? { RABBITMQ_ADMIN_PASSWORD: config.RABBITMQ_ADMIN_PASSWORD } : {}),
      RABBITMQ_VHOST: config.RABBITMQ_VHOST,
      REDIS_ADMIN_URL: config.REDIS_ADMIN_URL,
      ...(config.REDIS_ADMIN_TLS_CA_FILE !== undefined ? { REDIS_ADMIN_TLS_CA_FILE: config.REDIS_ADMIN_TLS_CA_FILE } : {}),
      ...(config.REDIS_ADMIN_TLS_CERT_FILE !== undefined ? { REDIS_ADMIN_TLS_CERT_FILE: config.REDIS_ADMIN_TLS_CERT_FILE } : {}),
      ...(config.REDIS_ADMIN_TLS_KEY_FILE !== undefined ? { REDIS_ADMIN_TLS_KEY_FILE: config.REDIS_ADMIN_TLS_KEY_FILE } : {}),
      ...(config.FEDSSD_PREFIX !== undefined ? { FEDSSD_PREFIX: config.FEDSSD_PREFIX } : {}),
      FEDSSD_SITE_RABBITMQ_URL: config.FEDSSD_SITE_RABBITMQ_URL,
      FEDSSD_SITE_REDIS_URL: config.FEDSSD_SITE_REDIS_URL,
      ...(config.REDIS_ADMIN_REPLICA_URLS !== undefined ? { REDIS_ADMIN_REPLICA_URLS: config.REDIS_ADMIN_REPLICA_URLS } : {}),
      ...(config.REDIS_ADMIN_SENTINEL_URLS !== undefined ? { REDIS_ADMIN_SENTINEL_URLS: config.REDIS_ADMIN_SENTINEL_URLS } : {}),
      ...(config.FEDSSD_SITE_REDIS_SENTINELS !== undefined ? { FEDSSD_SITE_REDIS_SENTINELS: config.FEDSSD_SITE_REDIS_SENTINELS } : {}),
      ...(config.FEDSSD_SITE_REDIS_SENTINEL_NAME !== undefined
        ? { FEDSSD_SITE_REDIS_SENTINEL_NAME: config.FEDSSD_SITE_REDIS_SENTINEL_NAME }
        : {}),
    },
  };
}
