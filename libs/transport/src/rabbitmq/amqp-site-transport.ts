import { encodeSiteMessage, federatedNames, siteOfUser, siteRoutingKey, siteUserName, type SiteMessageInput } from '@fedssd/protocol';
import { AmqpConnection } from './amqp-connection.js';
import { AmqpJobQueue } from './amqp-job-queue.js';
import { brokerEndpoints } from './endpoints.js';
import type { AmqpOptions } from './options.js';
import { publishConfirmed } from './publish.js';

/** Options of a site's broker connection: no topology is declared, the URL carries the site's user. */
export interface AmqpSiteOptions extends Omit<AmqpOptions, 'declareTopology'> {
  /** The site's name; its user in the URL must be `siteUserName(prefix, site)`. */
  site: string;
}

/** What a site's trainer does on the broker: read its own job queue, publish its own messages. */
export interface AmqpSiteTransport {
  /** Jobs of this site only (`fedssd.jobs.site.NAME`); `publishJob` and `depth` are the broker's to refuse. */
  readonly jobs: AmqpJobQueue;
  /** Publishes an update notice or heartbeat with routing key `site.NAME` and `user_id` = the site's user; resolves once confirmed. */
  publish(message: SiteMessageInput): Promise<void>;
  readonly connection: AmqpConnection;
  /** Idempotent. */
  close(): Promise<void>;
}

function userOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username);
  } catch {
    return '';
  }
}

/**
 * Connects a site (retrying up to `startTimeoutMs`). Declares nothing: the site's user has no
 * configure permission and provisioning declared its queue. Refuses, before connecting, a URL
 * whose user is not this site's (its publishes would all be refused for a wrong `user_id`).
 */
export async function createAmqpSiteTransport(options: AmqpSiteOptions): Promise<AmqpSiteTransport> {
  const prefix = options.prefix ?? '';
  const names = federatedNames(prefix);
  const expected = siteUserName(prefix, options.site);
  // Every endpoint (cluster node) must carry the site's user: publishes carry it as user_id.
  for (const user of brokerEndpoints(options.url).map(userOf)) {
    if (siteOfUser(prefix, user) !== options.site) {
      throw new RangeError(`RABBITMQ_URL must carry the site's user ${expected} (got ${user === '' ? 'no user' : JSON.stringify(user)})`);
    }
  }
  const user = expected;
  const connection = new AmqpConnection({ ...options, declareTopology: false });
  await connection.start();
  const routingKey = siteRoutingKey(options.site);
  return {
    jobs: new AmqpJobQueue(connection, names.siteJobQueue(options.site)),
    publish: (message) => publishConfirmed(connection, names.siteUpdatesExchange, routingKey, encodeSiteMessage(message), user),
    connection,
    close: () => connection.close(),
  };
}
