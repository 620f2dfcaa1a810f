import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of a throw-away PKI made with `openssl` for one test file. */
export interface TestCerts {
  readonly dir: string;
  readonly caFile: string;
  /** Server certificate for 127.0.0.1 / localhost, signed by the CA. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** Client certificate (CN `fedssd-test-client`), signed by the CA. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A second, unrelated CA: trusting it instead of the real one must fail verification. */
  readonly otherCaFile: string;
  remove(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function selfSignedCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  await run('openssl', ['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`]);
  return { cert, key };
}

async function signed(
  dir: string,
  name: string,
  ca: { cert: string; key: string },
  extensions: string,
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await run('openssl', ['req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { cert, key };
}

/** A CA, a server and a client certificate, and an unrelated CA, in a fresh temp dir. */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'fedssd-tls-'));
  const ca = await selfSignedCa(dir, 'fedssd-test-ca');
  const other = await selfSignedCa(dir, 'fedssd-other-ca');
  const server = await signed(dir, 'fedssd-test-server', ca, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const client = await signed(dir, 'fedssd-test-client', ca, 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: ca.cert,
    serverCertFile: server.cert,
    serverKeyFile: server.key,
    clientCertFile: client.cert,
    clientKeyFile: client.key,
    otherCaFile: other.cert,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
