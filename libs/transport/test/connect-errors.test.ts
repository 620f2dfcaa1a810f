import { describe, expect, it } from 'vitest';
import { createAmqpTransport, createRedisStores, TransportUnavailableError } from '../src/index.js';

// Port 1 on loopback refuses connections immediately, so these run without any service.
describe('connecting to services that do not answer', () => {
  it('when RabbitMQ refuses connections, then createAmqpTransport gives up after startTimeoutMs with TransportUnavailableError', async () => {
    const started = Date.now();
    const attempt = createAmqpTransport({ url: 'amqp://guest:guest@127.0.0.1:1', startTimeoutMs: 400, reconnectInitialDelayMs: 50 });
    await expect(attempt).rejects.toBeInstanceOf(TransportUnavailableError);
    await expect(attempt).rejects.toThrow('cannot connect to RabbitMQ');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('when Redis refuses connections, then createRedisStores rejects with TransportUnavailableError', async () => {
    await expect(createRedisStores({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toBeInstanceOf(
      TransportUnavailableError,
    );
  });
});
