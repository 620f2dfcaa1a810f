/**
 * Broker endpoints: `RABBITMQ_URL` is one URL or several comma-separated ones, the nodes of one
 * RabbitMQ cluster. A client connected to a node that dies must reach another node by itself,
 * so the connection walks this list instead of waiting for the dead node to come back.
 */
export function brokerEndpoints(url: string): string[] {
  const endpoints = url
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (endpoints.length === 0) throw new RangeError('RabbitMQ URL is empty');
  return endpoints;
}

/** `host:port` of an endpoint, for logs: the URL itself may carry a password. */
export function endpointLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port !== '' ? parsed.port : parsed.protocol === 'amqps:' ? '5671' : '5672';
    return `${parsed.hostname}:${port}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Which endpoint to try next. A connect attempt tries each endpoint once, starting at
 * {@link next}; the one that answered becomes current. After that connection is lost, the
 * next attempt starts one further: the node that just dropped us is the likeliest to be down,
 * and a dead node may not refuse at once (a vanished pod's address just times out).
 */
export class EndpointRotation {
  private index = 0;

  constructor(readonly endpoints: readonly string[]) {}

  /** The endpoints of one attempt, in the order to try them. */
  order(): string[] {
    const n = this.endpoints.length;
    return Array.from({ length: n }, (_, i) => this.endpoints[(this.index + i) % n]!);
  }

  /** `url` answered: later attempts start there. */
  connectedTo(url: string): void {
    const at = this.endpoints.indexOf(url);
    if (at >= 0) this.index = at;
  }

  /** The current endpoint dropped the connection: start the next attempt with the one after it. */
  lost(): void {
    this.index = (this.index + 1) % this.endpoints.length;
  }
}
