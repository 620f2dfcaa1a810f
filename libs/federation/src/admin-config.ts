import { envSecret, envString, envUrl, tlsFileFields } from '@fedssd/config';
import { DEPLOYMENT_PREFIX_PATTERN } from '@fedssd/protocol';
import { z } from 'zod';

/**
 * Environment of the enrolment commands (`fedssd site add|list|revoke`), parsed with
 * `loadConfig` (so `RABBITMQ_ADMIN_PASSWORD_FILE` works). These are admin credentials: keep
 * them off site machines.
 */
export const FederationAdminConfigSchema = z.object({
  /** RabbitMQ management API (plugin `rabbitmq_management`); credentials may be in the URL. */
  RABBITMQ_MANAGEMENT_URL: envUrl(['http:', 'https:']).default('http://127.0.0.1:15672'),
  /** A RabbitMQ user with the `administrator` tag. */
  RABBITMQ_ADMIN_USER: envString(256).optional(),
  RABBITMQ_ADMIN_PASSWORD: envSecret().optional(),
  /** Virtual host of the deployment. */
  RABBITMQ_VHOST: envString(256).default('/'),
  /** Redis as a user allowed to run ACL and CLIENT KILL (the default user or an admin user). */
  REDIS_ADMIN_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  ...tlsFileFields('REDIS_ADMIN'),
  FEDSSD_PREFIX: z.string().regex(DEPLOYMENT_PREFIX_PATTERN, { error: 'must be 1-64 characters of [A-Za-z0-9_-]' }).optional(),
  /** Broker URL written into a site's bundle (as the site reaches it), without credentials. */
  FEDSSD_SITE_RABBITMQ_URL: envUrl(['amqp:', 'amqps:']).default('amqp://127.0.0.1:5672'),
  /** Redis URL written into a site's bundle, without credentials. */
  FEDSSD_SITE_REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
});

export type FederationAdminConfig = z.output<typeof FederationAdminConfigSchema>;
