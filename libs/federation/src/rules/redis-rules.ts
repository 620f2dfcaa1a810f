import { checkDeploymentPrefix, checkSiteName } from '@fedssd/protocol';
import { escapeGlob } from './escape.js';

/** Key prefix of a deployment in Redis: `P:` (as the services' `keyPrefix`), or none. */
export function redisKeyPrefix(prefix: string): string {
  checkDeploymentPrefix(prefix);
  return prefix === '' ? '' : `${prefix}:`;
}

/**
 * Commands every least-privilege user needs to connect with ioredis and stay connected: AUTH and
 * HELLO (login), PING (health), CLIENT SETNAME / CLIENT ID (connection name). INFO is left out:
 * sites connect with ioredis' ready check off instead (see `RedisStoreOptions.readyCheck`).
 */
const CONNECT_COMMANDS = ['+ping', '+hello', '+auth', '+client|setname', '+client|id'];

/**
 * `ACL SETUSER <user> ...` arguments of a user's login on a Sentinel, with the password rule
 * (`>...`) of its Redis user: ioredis asks a Sentinel `SENTINEL get-master-addr-by-name` and then
 * `SENTINEL sentinels` (to learn the other Sentinels), and nothing else. Everything else a
 * Sentinel answers is refused, above all what could redirect the services or force a failover
 * (SENTINEL MONITOR, REMOVE, SET, FAILOVER, RESET, CONFIG SET) or read other users (ACL).
 */
export function sentinelLoginAcl(passwordRule: string): string[] {
  if (!passwordRule.startsWith('>')) throw new Error('sentinelLoginAcl: expected a ">password" rule');
  return ['reset', 'on', passwordRule, '-@all', '+sentinel|get-master-addr-by-name', '+sentinel|sentinels'];
}

/**
 * `ACL SETUSER <user> ...` arguments of a site: `reset` first so re-provisioning leaves no old
 * password or pattern behind; then no command but GET, SET and EXISTS on three key patterns:
 * read global models, read its own DSR target, read/write its own update keys. No KEYS, SCAN,
 * DEL, FLUSHALL, CONFIG, EVAL, no pub/sub channel.
 */
export function siteRedisAcl(prefix: string, site: string, password: string): string[] {
  const k = escapeGlob(redisKeyPrefix(prefix));
  const s = escapeGlob(checkSiteName(site));
  return [
    'reset',
    'on',
    `>${password}`,
    'resetkeys',
    'resetchannels',
    '-@all',
    '+get',
    '+set',
    '+exists',
    ...CONNECT_COMMANDS,
    `%R~${k}fedssd:run:*:model:v*`,
    `%R~${k}fedssd:run:*:site:${s}:target`,
    `%RW~${k}fedssd:run:*:site:${s}:update:*`,
  ];
}

/**
 * The aggregator: every command on the deployment's keys except the `@dangerous` category
 * (KEYS, FLUSHALL, FLUSHDB, CONFIG, DEBUG, SHUTDOWN, ACL, CLIENT KILL, MONITOR, ...), plus INFO
 * (in @dangerous, needed by ioredis' ready check) and CLIENT SETNAME/ID. EVAL stays: the state
 * store's compare-and-set is a script, and Redis checks the ACL inside scripts too.
 */
export function aggregatorRedisAcl(prefix: string, password: string): string[] {
  const k = escapeGlob(redisKeyPrefix(prefix));
  return [
    'reset',
    'on',
    `>${password}`,
    'resetchannels',
    `~${k}fedssd:*`,
    '+@all',
    '-@dangerous',
    '+info',
    '+client|setname',
    '+client|id',
  ];
}

/**
 * The api: create and read run records and the runs index, stop a run (a compare-and-set
 * script on the run record), read round records, metrics, global models and run event logs
 * (XRANGE, for SSE replay), read the site registry for `GET /v1/sites`. It cannot write models,
 * rounds, targets, updates or events (the aggregator alone appends to a run's event log).
 */
export function apiRedisAcl(prefix: string, password: string): string[] {
  const k = escapeGlob(redisKeyPrefix(prefix));
  return [
    'reset',
    'on',
    `>${password}`,
    'resetkeys',
    'resetchannels',
    '-@all',
    '+get',
    '+set',
    '+sadd',
    '+smembers',
    '+lrange',
    '+xrange',
    '+eval',
    '+evalsha',
    '+info',
    ...CONNECT_COMMANDS,
    // Run records end in the hash tag: `fedssd:run:{id}`; no other key of a run ends in '}'.
    `~${k}fedssd:run:{*}`,
    `~${k}fedssd:runs`,
    `%R~${k}fedssd:run:*:round:*`,
    `%R~${k}fedssd:run:*:metrics`,
    `%R~${k}fedssd:run:*:events`,
    `%R~${k}fedssd:run:*:model:v*`,
    `%R~${k}fedssd:sites`,
    `%R~${k}fedssd:site:*`,
  ];
}
