import type { Redis } from 'ioredis';

/**
 * ACL operations of enrolment and revocation, on a connection of a Redis user allowed to run
 * `ACL` and `CLIENT KILL` (the default user, or an admin user).
 */
export class RedisAclAdmin {
  constructor(private readonly redis: Redis) {}

  async hasUser(user: string): Promise<boolean> {
    return (await this.redis.call('ACL', 'GETUSER', user)) !== null;
  }

  /** `ACL SETUSER user ...rules` (rules start with `reset`, so this replaces the user whole). */
  async setUser(user: string, rules: readonly string[]): Promise<void> {
    await this.redis.call('ACL', 'SETUSER', user, ...rules);
  }

  /**
   * Revokes a user: switch it off (no new logins), kill its connections, delete it. Redis
   * already disconnects a deleted user's clients; the explicit kill before the delete closes
   * them even on a server that would not, and the `off` first means an ioredis client that
   * reconnects in between is refused. Returns how many connections were killed.
   */
  async revokeUser(user: string): Promise<number> {
    if (!(await this.hasUser(user))) return 0;
    await this.redis.call('ACL', 'SETUSER', user, 'off');
    const killed = Number(await this.redis.call('CLIENT', 'KILL', 'USER', user));
    await this.redis.call('ACL', 'DELUSER', user);
    return killed;
  }
}
