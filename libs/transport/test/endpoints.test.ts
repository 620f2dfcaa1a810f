import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AmqpConnection, brokerEndpoints, endpointLabel } from '../src/index.js';
import { EndpointRotation } from '../src/rabbitmq/endpoints.js';

describe('broker endpoints (RABBITMQ_URL with the nodes of a cluster)', () => {
  it('when the URL lists several nodes, then each is an endpoint in order, blanks dropped', () => {
    expect(brokerEndpoints('amqp://a:1, amqp://b:2 ,,amqp://c:3')).toEqual(['amqp://a:1', 'amqp://b:2', 'amqp://c:3']);
    expect(brokerEndpoints('amqp://u:p@h:5672')).toEqual(['amqp://u:p@h:5672']);
    expect(() => brokerEndpoints(' , ')).toThrow(RangeError);
  });

  it('when an endpoint is labelled for a log, then its credentials are left out', () => {
    expect(endpointLabel('amqp://user:secret@rabbit-1.example:5673/vh')).toBe('rabbit-1.example:5673');
    expect(endpointLabel('amqps://user:secret@rabbit')).toBe('rabbit:5671');
    expect(endpointLabel('amqp://rabbit')).toBe('rabbit:5672');
  });

  it('when the current node drops the connection, then the next attempt starts with the node after it and wraps around', () => {
    const r = new EndpointRotation(['a', 'b', 'c']);
    expect(r.order()).toEqual(['a', 'b', 'c']);
    r.lost();
    expect(r.order()).toEqual(['b', 'c', 'a']);
    // 'b' was down too; 'c' answered: later attempts start at 'c', and losing it goes back to 'a'.
    r.connectedTo('c');
    expect(r.order()).toEqual(['c', 'a', 'b']);
    r.lost();
    expect(r.order()).toEqual(['a', 'b', 'c']);
  });

  it('when one endpoint is given, then losing it retries that endpoint', () => {
    const r = new EndpointRotation(['only']);
    r.lost();
    expect(r.order()).toEqual(['only']);
  });

  it('when TLS material is given, then every endpoint must be amqps', () => {
    const tls = { ca: 'pem' };
    expect(() => new AmqpConnection({ url: 'amqps://a:5671,amqp://b:5672', tls })).toThrow(/amqps:/);
    expect(() => new AmqpConnection({ url: 'amqps://a:5671,amqps://b:5671', tls })).not.toThrow();
  });

  it('when no node answers, then start() fails naming every endpoint it tried', async () => {
    // Ports 1 and 2 on loopback refuse at once.
    const c = new AmqpConnection({ url: 'amqp://127.0.0.1:1,amqp://127.0.0.1:2', startTimeoutMs: 200, reconnectInitialDelayMs: 50 });
    const error = await c.start().catch((e: unknown) => e as Error);
    expect(String((error as Error).message)).toMatch(/127\.0\.0\.1:1: .*127\.0\.0\.1:2: /);
    await c.close();
  });

  it('when a node accepts TCP but never answers, then the attempt gives up on it after connectTimeoutMs and tries the next', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // never speaks AMQP
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const c = new AmqpConnection({ url: `amqp://127.0.0.1:${port},amqp://127.0.0.1:1`, connectTimeoutMs: 300, startTimeoutMs: 100 });
    const started = Date.now();
    try {
      const error = await c.start().catch((e: unknown) => e as Error);
      expect(String((error as Error).message)).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}: connect ETIMEDOUT; 127\\.0\\.0\\.1:1: `));
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await c.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
