import { checkDeploymentPrefix } from '@fedssd/protocol';
import { aggregatorRabbitPermissions, apiRabbitPermissions } from '../rules/rabbit-rules.js';
import { aggregatorRedisAcl, apiRedisAcl } from '../rules/redis-rules.js';
import type { AdminContext } from './admin-context.js';
import { newPassword } from './passwords.js';

export type ServiceKind = 'aggregator' | 'api';

/** Credentials of a service user, returned once. */
export interface ServiceCredentials {
  user: string;
  rabbitPassword: string;
  redisPassword: string;
}

/** RabbitMQ and Redis user of a service: `P-aggregator` / `P-api` (or without the prefix). */
export function serviceUserName(prefix: string, kind: ServiceKind): string {
  checkDeploymentPrefix(prefix);
  return prefix === '' ? kind : `${prefix}-${kind}`;
}

/**
 * Creates (or re-creates with new passwords) the aggregator's or the api's own RabbitMQ user and
 * Redis ACL user with the rules of `aggregatorRabbitPermissions`/`apiRabbitPermissions` and
 * `aggregatorRedisAcl`/`apiRedisAcl`, so no service runs on the shared admin credential.
 */
export async function provisionServiceUser(ctx: AdminContext, kind: ServiceKind): Promise<ServiceCredentials> {
  const user = serviceUserName(ctx.prefix, kind);
  const rabbitPassword = newPassword();
  const redisPassword = newPassword();
  await ctx.rabbit.putUser(user, rabbitPassword);
  await ctx.rabbit.putPermissions(user, kind === 'aggregator' ? aggregatorRabbitPermissions(ctx.prefix) : apiRabbitPermissions(ctx.prefix));
  await ctx.acl.setUser(
    user,
    kind === 'aggregator' ? aggregatorRedisAcl(ctx.prefix, redisPassword) : apiRedisAcl(ctx.prefix, redisPassword),
  );
  return { user, rabbitPassword, redisPassword };
}
