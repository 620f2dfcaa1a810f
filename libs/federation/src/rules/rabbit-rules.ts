import { checkDeploymentPrefix, federatedNames, siteRoutingKey } from '@fedssd/protocol';
import { escapeRegex } from './escape.js';

/** A RabbitMQ user's configure / write / read regexes on one vhost (matched against resource names). */
export interface RabbitPermissions {
  configure: string;
  write: string;
  read: string;
}

/** Topic authorisation on one topic exchange: regexes over the routing key for publish (write) and bind/consume (read). */
export interface RabbitTopicPermissions {
  exchange: string;
  write: string;
  read: string;
}

const exactly = (name: string) => `^${escapeRegex(name)}$`;
/** Matches nothing: RabbitMQ checks the regex against a non-empty resource name. */
const NOTHING = '^$';

/**
 * A site's permissions: no configure (it declares and deletes nothing), write only the
 * site-updates exchange (so not `amq.default`, the control queue or the events exchange),
 * read (consume, get, purge) only its own job queue. The site-updates queue shares the
 * exchange's name and so is writable too; that only allows binding it, which also needs read
 * on the source exchange, which a site has nowhere.
 */
export function siteRabbitPermissions(prefix: string, site: string): RabbitPermissions {
  const names = federatedNames(prefix);
  return { configure: NOTHING, write: exactly(names.siteUpdatesExchange), read: exactly(names.siteJobQueue(site)) };
}

/** A site may publish on the site-updates exchange with its own routing key only, and bind nothing. */
export function siteTopicPermissions(prefix: string, site: string): RabbitTopicPermissions {
  return { exchange: federatedNames(prefix).siteUpdatesExchange, write: exactly(siteRoutingKey(site)), read: NOTHING };
}

/** Regex of every resource of the deployment: `P.fedssd.*` (or `fedssd.*` without a prefix). */
function deploymentResources(prefix: string): string {
  checkDeploymentPrefix(prefix);
  return `^${escapeRegex(prefix === '' ? '' : `${prefix}.`)}fedssd\\..+$`;
}

/**
 * The aggregator's permissions: it declares the topology, so configure/write/read on every
 * resource of the deployment, plus write on `amq.default` because simulation mode publishes jobs
 * and commands through the default exchange (which lets it write to any queue of the vhost: give
 * each deployment its own vhost to bound that). Federated jobs can go through `fedssd.site-jobs`.
 */
export function aggregatorRabbitPermissions(prefix: string): RabbitPermissions {
  const own = deploymentResources(prefix);
  return { configure: own, write: `${own}|^amq\\.default$`, read: own };
}

/**
 * The api's permissions: publish commands through the default exchange (to `fedssd.control`),
 * and one private server-named queue (`amq.gen-*`) per events subscription, bound to the events
 * fanout (without a dead-letter exchange: write on `fedssd.dlx` would let it forge job failures).
 * It declares no named topology: connect it with `declareTopology: false` once the aggregator has
 * declared it.
 */
export function apiRabbitPermissions(prefix: string): RabbitPermissions {
  const events = `${prefix === '' ? '' : `${prefix}.`}fedssd.events`;
  return {
    configure: '^amq\\.gen-.+$',
    write: '^amq\\.default$|^amq\\.gen-.+$',
    read: `${exactly(events)}|^amq\\.gen-.+$`,
  };
}
