import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';
import { readTlsFiles } from '@fedssd/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmqpTransport, createRedisStores, TransportUnavailableError } from '../src/index.js';
import { startPrivateRedisServer, type PrivateRedisServer } from './private-redis.js';
import { makeTestCerts, type TestCerts } from './test-certs.js';

// Needs only the `openssl` and `redis-server` binaries (no shared service): never skipped.
describe('TLS with a CA, client certificate and key from *_TLS_*_FILE settings', () => {
  let certs: TestCerts;
  let redis: PrivateRedisServer;

  beforeAll(async () => {
    certs = await makeTestCerts();
    redis = await startPrivateRedisServer({
      tls: true,
      args: [
        '--tls-cert-file',
        certs.serverCertFile,
        '--tls-key-file',
        certs.serverKeyFile,
        '--tls-ca-cert-file',
        certs.caFile,
        '--tls-auth-clients',
        'yes',
      ],
    });
  });
  afterAll(async () => {
    await redis?.close();
    await certs?.remove();
  });

  const env = (overrides: Record<string, string | undefined> = {}) => ({
    REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
    REDIS_TLS_CA_FILE: certs.caFile,
    REDIS_TLS_CERT_FILE: certs.clientCertFile,
    REDIS_TLS_KEY_FILE: certs.clientKeyFile,
    ...overrides,
  });
  // A refused handshake must fail fast, not retry for the default 10 s.
  const connect = (config: Record<string, string | undefined>) =>
    createRedisStores({ url: config.REDIS_URL!, tls: readTlsFiles('REDIS', config) ?? {}, connectTimeoutMs: 3_000 });

  it('when the client presents its certificate and trusts the CA, then createRedisStores connects over TLS and runs commands', async () => {
    const stores = await connect(env());
    try {
      expect(await stores.redis.set('tls-probe', 'ok')).toBe('OK');
      expect(await stores.redis.get('tls-probe')).toBe('ok');
    } finally {
      await stores.close();
    }
  });

  it('when the client has no certificate, then Redis refuses it (tls-auth-clients yes) and the error says why', async () => {
    await expect(connect(env({ REDIS_TLS_CERT_FILE: undefined, REDIS_TLS_KEY_FILE: undefined }))).rejects.toThrow(
      // The server's alert races its close: the client sees the alert or a reset, never a session.
      /cannot connect to Redis: .*(certificate required|ECONNRESET)/,
    );
  });

  it('when the client trusts another CA, then it refuses the server certificate', async () => {
    await expect(connect(env({ REDIS_TLS_CA_FILE: certs.otherCaFile }))).rejects.toThrow(
      /cannot connect to Redis: .*self-signed certificate in certificate chain/,
    );
  });

  it('when TLS files are given with a redis:// URL, then createRedisStores refuses before connecting', async () => {
    await expect(createRedisStores({ url: `redis://127.0.0.1:${redis.port}`, tls: { ca: readFileSync(certs.caFile) } })).rejects.toThrow(
      'TLS options are set, so the URL must start with rediss:// (got redis://)',
    );
  });

  it('when the broker URL is amqps:, then amqplib verifies the server with the given CA and presents the client certificate', async () => {
    // A TLS listener that requires a client certificate from our CA stands in for RabbitMQ's TLS port:
    // what is tested is that our options reach the socket; the AMQP handshake after it is not.
    const seen: Array<{ authorized: boolean; cn: unknown }> = [];
    const server = createServer(
      {
        cert: readFileSync(certs.serverCertFile),
        key: readFileSync(certs.serverKeyFile),
        ca: readFileSync(certs.caFile),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (socket: TLSSocket) => {
        seen.push({ authorized: socket.authorized, cn: socket.getPeerCertificate().subject?.CN });
        socket.destroy();
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const config = {
      RABBITMQ_URL: `amqps://u:p@127.0.0.1:${port}`,
      RABBITMQ_TLS_CA_FILE: certs.caFile,
      RABBITMQ_TLS_CERT_FILE: certs.clientCertFile,
      RABBITMQ_TLS_KEY_FILE: certs.clientKeyFile,
    };
    const open = (c: Record<string, string>) =>
      createAmqpTransport({
        url: c.RABBITMQ_URL!,
        tls: readTlsFiles('RABBITMQ', c) ?? {},
        startTimeoutMs: 300,
        reconnectInitialDelayMs: 50,
      });
    try {
      await expect(open(config)).rejects.toBeInstanceOf(TransportUnavailableError);
      expect(seen[0]).toEqual({ authorized: true, cn: 'fedssd-test-client' });
      seen.length = 0;
      // Trusting the other CA: the client aborts the handshake, so the server never sees a connection.
      await expect(open({ ...config, RABBITMQ_TLS_CA_FILE: certs.otherCaFile })).rejects.toThrow(/certificate|self.signed|verify/i);
      expect(seen).toEqual([]);
    } finally {
      server.close();
    }
  });
});
