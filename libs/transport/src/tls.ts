/**
 * PEM material for a TLS connection to RabbitMQ (`amqps:`) or Redis (`rediss:`), as read once at
 * start-up (e.g. by `readTlsFiles` of @fedssd/config from `*_TLS_*_FILE`). Omitted parts fall back
 * to Node's defaults: the system CA store, no client certificate.
 */
export interface TlsOptions {
  /** CA certificate(s) to trust for the server's certificate, instead of the system store. */
  ca?: Uint8Array | string;
  /** Client certificate, for servers that require one (mutual TLS). */
  cert?: Uint8Array | string;
  /** Private key of `cert`. */
  key?: Uint8Array | string;
}

const asBuffer = (value: Uint8Array | string) => (typeof value === 'string' ? Buffer.from(value) : Buffer.from(value));

/** Node `tls.connect` options for the given material (only the parts that are set). */
export function tlsSocketOptions(tls: TlsOptions): { ca?: Buffer[]; cert?: Buffer; key?: Buffer } {
  return {
    ...(tls.ca !== undefined ? { ca: [asBuffer(tls.ca)] } : {}),
    ...(tls.cert !== undefined ? { cert: asBuffer(tls.cert) } : {}),
    ...(tls.key !== undefined ? { key: asBuffer(tls.key) } : {}),
  };
}

/** Throws unless `url` uses `secureScheme` when TLS material is given (it would be ignored on a plain connection). */
export function checkTlsScheme(url: string, tls: TlsOptions | undefined, secureScheme: 'amqps:' | 'rediss:'): void {
  if (tls === undefined) return;
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return; // the driver reports a malformed URL itself
  }
  if (scheme !== secureScheme) throw new RangeError(`TLS options are set, so the URL must start with ${secureScheme}// (got ${scheme}//)`);
}
