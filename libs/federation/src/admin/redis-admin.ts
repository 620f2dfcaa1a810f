import type { Redis } from 'ioredis';
import { sentinelLoginAcl } from '../rules/redis-rules.js';

/** The servers enrolment writes users to, each on a connection of a user allowed to run `ACL` and `CLIENT KILL`. */
export interface AclNodes {
  /** The primary (where the site registry lives). */
  readonly primary: Redis;
  /** The other Redis servers a Sentinel may promote: ACL users are not replicated, so each needs its own copy. */
  readonly replicas?: readonly Redis[];
  /** The Sentinels: each user gets a login there that may only look up the primary. */
  readonly sentinels?: readonly Redis[];
}

/** ACL operations of enrolment and revocation on every Redis server and Sentinel of the deployment. */
export class RedisAclAdmin {
  private readonly servers: readonly Redis[];
  private readonly sentinels: readonly Redis[];

  constructor(nodes: Redis | AclNodes) {
    const n: AclNodes = 'primary' in nodes ? nodes : { primary: nodes };
    this.servers = [n.primary, ...(n.replicas ?? [])];
    this.sentinels = n.sentinels ?? [];
  }

  /** Whether the user exists on the primary. */
  async hasUser(user: string): Promise<boolean> {
    return (await this.servers[0]!.call('ACL', 'GETUSER', user)) !== null;
  }

  /**
   * `ACL SETUSER user ...rules` on every server (rules start with `reset`, so this replaces the
   * user whole) and the user's lookup-only login on every Sentinel, with the same password.
   */
  async setUser(user: string, rules: readonly string[]): Promise<void> {
    for (const server of this.servers) await server.call('ACL', 'SETUSER', user, ...rules);
    if (this.sentinels.length === 0) return;
    const password = rules.find((rule) => rule.startsWith('>'));
    if (password === undefined) throw new Error(`setUser ${user}: the rules carry no password for the Sentinel login`);
    for (const sentinel of this.sentinels) await sentinel.call('ACL', 'SETUSER', user, ...sentinelLoginAcl(password));
  }

  /**
   * Revokes a user on every server and Sentinel: switch it off (no new logins), kill its
   * connections, delete it. Redis already disconnects a deleted user's clients; the explicit kill
   * before the delete closes them even on a server that would not, and the `off` first means an
   * ioredis client that reconnects in between is refused. Returns how many connections were killed.
   */
  async revokeUser(user: string): Promise<number> {
    let killed = 0;
    for (const node of [...this.servers, ...this.sentinels]) {
      if ((await node.call('ACL', 'GETUSER', user)) === null) continue;
      await node.call('ACL', 'SETUSER', user, 'off');
      killed += Number(await node.call('CLIENT', 'KILL', 'USER', user));
      await node.call('ACL', 'DELUSER', user);
    }
    return killed;
  }
}
