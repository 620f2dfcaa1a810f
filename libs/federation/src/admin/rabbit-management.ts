import { FederationError } from '../errors.js';
import type { RabbitPermissions, RabbitTopicPermissions } from '../rules/rabbit-rules.js';

/** Where and as whom to reach RabbitMQ's management HTTP API (plugin `rabbitmq_management`). */
export interface RabbitManagementOptions {
  /** Base URL, e.g. `http://127.0.0.1:15672`; credentials in it are used when `user` is not given. */
  url: string;
  /** A user with the `administrator` tag (creating users and permissions needs it). */
  user?: string;
  password?: string;
  /** Virtual host of the deployment; default `/`. */
  vhost?: string;
  /** Per-request timeout in milliseconds; default 10000. */
  timeoutMs?: number;
}

/**
 * The few management-API calls enrolment and revocation need, over Node's fetch. The HTTP API
 * (rather than `rabbitmqctl`) works from any machine that can reach port 15672 with an admin
 * user, needs no Erlang cookie or shell on the broker host, and answers in JSON with status codes.
 */
export class RabbitManagement {
  readonly vhost: string;
  private readonly base: string;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(options: RabbitManagementOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new FederationError('INVALID_INPUT', 'RABBITMQ_MANAGEMENT_URL: must be an http:// or https:// URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FederationError('INVALID_INPUT', `RABBITMQ_MANAGEMENT_URL: must be an http:// or https:// URL (got ${url.protocol}//)`);
    }
    const user = options.user ?? decodeURIComponent(url.username);
    const password = options.password ?? decodeURIComponent(url.password);
    if (user === '' || password === '') {
      throw new FederationError(
        'INVALID_INPUT',
        'RABBITMQ_ADMIN_USER and RABBITMQ_ADMIN_PASSWORD: must be set (or given in RABBITMQ_MANAGEMENT_URL)',
      );
    }
    // fetch refuses URLs with credentials: they travel in the Authorization header instead.
    url.username = '';
    url.password = '';
    this.base = url.toString().replace(/\/+$/, '');
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.vhost = options.vhost ?? '/';
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private path(...parts: string[]): string {
    return `/api/${parts.map(encodeURIComponent).join('/')}`;
  }

  /** One request; 404 resolves to undefined when `allow404`, any other non-2xx throws `ADMIN_API`. */
  private async request(
    method: string,
    path: string,
    body?: unknown,
    allow404 = false,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: this.auth, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new FederationError('UNREACHABLE', `cannot reach the RabbitMQ management API at ${this.base} (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (res.status === 404 && allow404) return undefined;
    const text = await res.text();
    if (!res.ok) {
      const hint = res.status === 401 ? ' (wrong admin user or password, or the user lacks the administrator tag)' : '';
      throw new FederationError(
        'ADMIN_API',
        `RabbitMQ management API: ${method} ${path} answered ${res.status}${hint}: ${text.slice(0, 300)}`,
      );
    }
    return text === '' ? null : (JSON.parse(text) as unknown);
  }

  /** Whether the user exists. */
  async hasUser(name: string): Promise<boolean> {
    return (await this.request('GET', this.path('users', name), undefined, true)) !== undefined;
  }

  /** Creates or replaces a user with no tags (so no management UI access). */
  async putUser(name: string, password: string): Promise<void> {
    await this.request('PUT', this.path('users', name), { password, tags: '' });
  }

  /** Deletes a user (RabbitMQ then closes its connections); false when it did not exist. */
  async deleteUser(name: string): Promise<boolean> {
    return (await this.request('DELETE', this.path('users', name), undefined, true)) !== undefined;
  }

  async putPermissions(user: string, permissions: RabbitPermissions): Promise<void> {
    await this.request('PUT', this.path('permissions', this.vhost, user), permissions);
  }

  async putTopicPermissions(user: string, permissions: RabbitTopicPermissions): Promise<void> {
    await this.request('PUT', this.path('topic-permissions', this.vhost, user), permissions);
  }

  /** Declares a durable queue (idempotent; different arguments on an existing queue fail with `ADMIN_API`). */
  async putQueue(name: string, args: Record<string, unknown>): Promise<void> {
    await this.request('PUT', this.path('queues', this.vhost, name), { durable: true, auto_delete: false, arguments: args });
  }

  async deleteQueue(name: string): Promise<boolean> {
    return (await this.request('DELETE', this.path('queues', this.vhost, name), undefined, true)) !== undefined;
  }

  /** Declares a durable exchange, with the same properties as amqplib's `assertExchange(name, type, { durable: true })`. */
  async putExchange(name: string, type: 'direct' | 'topic' | 'fanout'): Promise<void> {
    await this.request('PUT', this.path('exchanges', this.vhost, name), {
      type,
      durable: true,
      auto_delete: false,
      internal: false,
      arguments: {},
    });
  }

  /** Deletes an exchange; false when it did not exist. */
  async deleteExchange(name: string): Promise<boolean> {
    return (await this.request('DELETE', this.path('exchanges', this.vhost, name), undefined, true)) !== undefined;
  }

  async bindQueue(exchange: string, queue: string, routingKey: string): Promise<void> {
    await this.request('POST', this.path('bindings', this.vhost, 'e', exchange, 'q', queue), { routing_key: routingKey, arguments: {} });
  }

  /** Names of the open connections of a user. */
  async connectionsOf(user: string): Promise<string[]> {
    const rows = (await this.request('GET', '/api/connections?columns=name,user')) as Array<{ name: string; user: string }>;
    return rows.filter((row) => row.user === user).map((row) => row.name);
  }

  /** Closes a connection from the broker's side; false when it was already gone. */
  async closeConnection(name: string, reason: string): Promise<boolean> {
    return (await this.request('DELETE', this.path('connections', name), undefined, true, { 'x-reason': reason })) !== undefined;
  }
}
