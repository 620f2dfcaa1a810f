import { siteOfUser, siteRoutingKey } from './site-names.js';

/** What the broker tells a consumer about who sent a delivery. */
export interface DeliveryOrigin {
  /** AMQP `user_id` property; RabbitMQ refuses a publish whose user_id differs from the connection's user. */
  readonly userId: string | undefined;
  /** Routing key; topic authorisation limits a site to its own. */
  readonly routingKey: string;
}

export type Attribution = { ok: true; site: string } | { ok: false; reason: string };

/**
 * The site a delivery on the site-updates queue counts for, from what the broker enforced:
 * the validated `user_id` must be a site user of this deployment and the routing key must be
 * that site's own. RabbitMQ validates `user_id` only when it is present, so a message without
 * one is refused here (the consumer dead-letters it); a body field never names the sender.
 */
export function attributeSiteDelivery(prefix: string, origin: DeliveryOrigin): Attribution {
  if (origin.userId === undefined || origin.userId === '') return { ok: false, reason: 'no user_id property' };
  const site = siteOfUser(prefix, origin.userId);
  if (site === undefined) return { ok: false, reason: `user_id ${JSON.stringify(origin.userId)} is not a site of this deployment` };
  if (origin.routingKey !== siteRoutingKey(site)) {
    return { ok: false, reason: `routing key ${JSON.stringify(origin.routingKey)} is not ${siteRoutingKey(site)}` };
  }
  return { ok: true, site };
}
