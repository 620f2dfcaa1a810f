import { federatedNames, type SiteRecord } from '@fedssd/protocol';
import { FederationError } from '../errors.js';
import type { AdminContext } from './admin-context.js';

/** What revocation did. */
export interface RevokedSite {
  record: SiteRecord;
  /** Broker connections still open after the user was deleted, closed through the management API. */
  rabbitConnectionsClosed: number;
  /** Redis connections killed (`CLIENT KILL USER`). */
  redisConnectionsKilled: number;
}

/** How long revocation waits for RabbitMQ to drop a deleted user's connections before closing them itself. */
const BROKER_CLOSE_WAIT_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Revokes a site: deletes its RabbitMQ user (RabbitMQ 3.10 closes the user's connections with
 * CONNECTION_FORCED, measured in about 0.2 s; any still open after {@link BROKER_CLOSE_WAIT_MS}
 * are closed through the management API), switches off, disconnects and deletes its Redis ACL
 * user, deletes its job queue, and marks the record revoked. Safe to run again.
 */
export async function revokeSite(ctx: AdminContext, name: string): Promise<RevokedSite> {
  const record = await ctx.registry.get(name);
  if (record === null) throw new FederationError('NOT_FOUND', `site ${name} is not enrolled`);
  await ctx.rabbit.deleteUser(record.user);
  // The management API's connection list can lag the broker by a stats interval (5 s by default):
  // wait a little for it to drop them, then close whatever it still lists (404: already gone).
  const deadline = Date.now() + BROKER_CLOSE_WAIT_MS;
  let open = await ctx.rabbit.connectionsOf(record.user);
  while (open.length > 0 && Date.now() < deadline) {
    await sleep(200);
    open = await ctx.rabbit.connectionsOf(record.user);
  }
  let rabbitConnectionsClosed = 0;
  for (const connection of open) {
    if (await ctx.rabbit.closeConnection(connection, `site ${name} revoked`)) rabbitConnectionsClosed += 1;
  }
  const redisConnectionsKilled = await ctx.acl.revokeUser(record.user);
  await ctx.rabbit.deleteQueue(federatedNames(ctx.prefix).siteJobQueue(name));
  const revoked: SiteRecord = { ...record, state: 'revoked', revokedAt: record.revokedAt ?? ctx.now().toISOString() };
  await ctx.registry.put(revoked);
  return { record: revoked, rabbitConnectionsClosed, redisConnectionsKilled };
}
