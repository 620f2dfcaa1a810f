import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Repository root: services run from here so workspace packages resolve to their sources. Shared by the e2e, fault and CLI tests. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A free TCP port on 127.0.0.1 (released before returning; good enough for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** One service running as its own Node process. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** stdout + stderr so far (last ~200 kB). */
  output(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 20 s); resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** Options of {@link startService}. */
export interface StartOptions {
  /**
   * Run the service under `strace -f -e trace=open,openat,openat2`, writing every file it (and
   * any thread or child) opens to this path. Signals then go to the traced Node process, whose
   * exit ends strace.
   */
  readonly traceOpensTo?: string;
}

/** The traced process under strace: strace's only child. */
function traceeOf(child: ChildProcess): number | undefined {
  try {
    const pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `services/<service>/src/main.ts` through tsx (the child pid is the Node process itself, unless traced). */
export function startService(name: string, service: string, env: Record<string, string>, options: StartOptions = {}): ServiceProcess {
  const node = [process.execPath, '--conditions=source', '--import', 'tsx', `services/${service}/src/main.ts`];
  const argv =
    options.traceOpensTo === undefined
      ? node
      : ['strace', '-f', '-qq', '-e', 'trace=open,openat,openat2', '-o', options.traceOpensTo, ...node];
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const signal = (sig: NodeJS.Signals) => {
    const target = options.traceOpensTo === undefined ? undefined : traceeOf(child);
    if (target !== undefined) process.kill(target, sig);
    else child.kill(sig);
  };
  let text = '';
  const keep = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (text.length > 400_000) text = text.slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    exited,
    output: () => text,
    async stop(timeoutMs = 20_000) {
      if (!running()) return child.exitCode;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (!running()) return;
      signal('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` every `everyMs` until it returns something other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
