/**
 * Names of federated mode: sites, their broker users, queues and routing keys. Every engine rule
 * (RabbitMQ permissions, topic permissions, Redis ACL patterns) is built from these, and the
 * aggregator attributes a site message by parsing the broker-validated user back with them.
 */

/** A site name: lower-case letters, digits and '-', starting with a letter or digit, 1-32 characters. */
export const SITE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** A deployment prefix (as FEDSSD_PREFIX): 1-64 characters of [A-Za-z0-9_-]. */
export const DEPLOYMENT_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws a RangeError naming the field and the allowed form unless `name` is a valid site name. */
export function checkSiteName(name: string): string {
  if (typeof name !== 'string' || !SITE_NAME_PATTERN.test(name)) {
    throw new RangeError(`site name must be 1-32 characters of [a-z0-9-], starting with a letter or digit (got ${JSON.stringify(name)})`);
  }
  return name;
}

/** Throws a RangeError unless `prefix` is empty or a valid deployment prefix. */
export function checkDeploymentPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || (prefix !== '' && !DEPLOYMENT_PREFIX_PATTERN.test(prefix))) {
    throw new RangeError(`prefix must be empty or 1-64 characters of [A-Za-z0-9_-] (got ${JSON.stringify(prefix)})`);
  }
  return prefix;
}

/** RabbitMQ user and Redis ACL user of a site: `P-site-NAME`, or `site-NAME` without a prefix. */
export function siteUserName(prefix: string, name: string): string {
  checkDeploymentPrefix(prefix);
  checkSiteName(name);
  return prefix === '' ? `site-${name}` : `${prefix}-site-${name}`;
}

/**
 * The site a broker- or Redis-authenticated user name belongs to in this deployment, or
 * undefined when it is not a site user of `prefix` (e.g. the aggregator, or another deployment).
 */
export function siteOfUser(prefix: string, user: string | undefined): string | undefined {
  checkDeploymentPrefix(prefix);
  if (typeof user !== 'string') return undefined;
  const head = prefix === '' ? 'site-' : `${prefix}-site-`;
  if (!user.startsWith(head)) return undefined;
  const name = user.slice(head.length);
  return SITE_NAME_PATTERN.test(name) ? name : undefined;
}

/** Routing key of every message a site publishes (updates and heartbeats) on the site-updates exchange. */
export function siteRoutingKey(name: string): string {
  return `site.${checkSiteName(name)}`;
}

/** Binding pattern of the aggregator's queue on the site-updates topic exchange: every site. */
export const SITE_ROUTING_PATTERN = 'site.#';

/**
 * Broker names of federated mode with an optional prefix (as {@link brokerNames}):
 * `siteUpdates` is both the durable topic exchange sites publish to and the aggregator's durable
 * queue bound to it; `siteJobs` is a direct exchange the aggregator may publish jobs through
 * (routing key = the site's routing key) instead of the default exchange.
 */
export function federatedNames(prefix = '') {
  checkDeploymentPrefix(prefix);
  const p = prefix === '' ? '' : `${prefix}.`;
  return {
    siteUpdatesExchange: `${p}fedssd.site-updates`,
    siteUpdatesQueue: `${p}fedssd.site-updates`,
    siteJobsExchange: `${p}fedssd.site-jobs`,
    /** Same dead-letter exchange as simulation mode's queues. */
    dlx: `${p}fedssd.dlx`,
    /** Durable job queue of one site, declared by provisioning (never by the site). */
    siteJobQueue: (name: string) => `${p}fedssd.jobs.site.${checkSiteName(name)}`,
  } as const;
}

export type FederatedNames = ReturnType<typeof federatedNames>;
