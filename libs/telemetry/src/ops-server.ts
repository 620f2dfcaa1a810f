import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** The small HTTP server of a worker service: `/metrics` (Prometheus text) and `/healthz`. */
export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on `port` (0 = a free port, see `OpsServer.port`). `healthy` decides `/healthz`:
 * 200 `{"status":"ok"}` or 503 `{"status":"unhealthy","reason":...}`.
 */
export async function startOpsServer(opts: {
  port: number;
  host?: string;
  registry: Registry;
  healthy?: () => Promise<string | undefined>;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path === '/healthz') {
      (opts.healthy ?? (async () => undefined))().then(
        (reason) => {
          const body = reason === undefined ? { status: 'ok' } : { status: 'unhealthy', reason };
          res.writeHead(reason === undefined ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
        (error: unknown) =>
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unhealthy', reason: String(error) })),
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${path}` } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
