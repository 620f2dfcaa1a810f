import { encodeMessage, federatedNames, siteRoutingKey, type TrainJob } from '@fedssd/protocol';
import type { AmqpConnection } from './amqp-connection.js';
import { publishConfirmed } from './publish.js';

/**
 * The aggregator's way to a site (federated mode): jobs go through the direct `fedssd.site-jobs`
 * exchange with the site's routing key, to which provisioning bound that site's queue — never
 * through the default exchange, and never to another site's queue. Resolves once confirmed.
 */
export class AmqpSiteJobPublisher {
  constructor(private readonly connection: AmqpConnection) {}

  async publishSiteJob(site: string, job: TrainJob): Promise<void> {
    const names = federatedNames(this.connection.options.prefix);
    await publishConfirmed(this.connection, names.siteJobsExchange, siteRoutingKey(site), encodeMessage(job));
  }
}
