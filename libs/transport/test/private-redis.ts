import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../../../tools/test-support/processes.js';

/**
 * A redis-server of the test's own on a free port, for what must not touch the shared Redis on
 * 6379: ACL users, FLUSHALL/CONFIG attacks, TLS. No persistence; `close()` stops it.
 */
export interface PrivateRedisServer {
  readonly port: number;
  /** Output of the server so far (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts `redis-server` with `args` added (e.g. TLS settings) on a free port and waits until it
 * logs that it accepts connections. With `tls` true the port is the TLS port and the plain port is off.
 */
export async function startPrivateRedisServer(options: { args?: string[]; tls?: boolean } = {}): Promise<PrivateRedisServer> {
  const port = await freePort();
  const portArgs = options.tls === true ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const child: ChildProcess = spawn(
    'redis-server',
    [...portArgs, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice', ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('Ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${String(code)}: ${text}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  return {
    port,
    output: () => text,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
