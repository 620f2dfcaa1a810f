import { attributeSiteDelivery, parseSiteMessage, type DeliveryOrigin, type SiteMessage } from '@fedssd/protocol';
import type { RawSettler } from '../dispatch.js';
import { PoisonMessageError } from '../errors.js';

/** Context of one site message: the site the broker authenticated, and whether it is a redelivery. */
export interface SiteDelivery {
  /** From the broker-validated `user_id` (and matching routing key), never from the body. */
  readonly site: string;
  readonly redelivered: boolean;
}

/**
 * Handles one site message. Resolving acks it; throwing {@link PoisonMessageError} dead-letters
 * it; throwing anything else requeues it.
 */
export type SiteMessageHandler = (message: SiteMessage, delivery: SiteDelivery) => Promise<void>;

/** Called for each site message dead-lettered before the handler saw it (no or foreign user_id, bad body). */
export type RejectedSiteMessageListener = (reason: string, origin: DeliveryOrigin) => void;

/**
 * Shared by every site-updates adapter: attribute the delivery to a site from what the broker
 * enforced, parse it, dead-letter anything that fails either, then run the handler.
 */
export async function dispatchSiteMessage(
  prefix: string,
  bytes: Uint8Array,
  origin: DeliveryOrigin,
  redelivered: boolean,
  settle: RawSettler,
  handler: SiteMessageHandler,
  onRejected?: RejectedSiteMessageListener,
): Promise<void> {
  const attributed = attributeSiteDelivery(prefix, origin);
  const parsed = attributed.ok ? parseSiteMessage(bytes) : undefined;
  if (!attributed.ok || parsed === undefined || !parsed.ok) {
    onRejected?.(!attributed.ok ? attributed.reason : parsed !== undefined && !parsed.ok ? parsed.reason : 'invalid', origin);
    await settle.dead();
    return;
  }
  try {
    await handler(parsed.message, { site: attributed.site, redelivered });
  } catch (error) {
    await (error instanceof PoisonMessageError ? settle.dead() : settle.requeue());
    return;
  }
  await settle.ack();
}
