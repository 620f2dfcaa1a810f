/**
 * Aggregator memory and speed per round against the number of updates K (issue 13 item 3):
 * for each K, one `round-worker.ts` process pushes K full-width ResNet-18 updates through a
 * private redis-server (started here on a free port, so `used_memory_peak` is this round's
 * alone and the shared Redis is untouched) and the aggregator's accept-and-fold path.
 *
 *   npm run bench:round -- [--clients 10,100,500] [--modes arrival,end] [--end-max 50] [--width 1] [--checkpoint-every 8]
 *
 * Mode `end` (the fold before this change: all K blobs kept, folded at the end) only runs for
 * K <= --end-max: it keeps K x 45 MB in Redis (500 updates would be 22 GB).
 * Prints the workers' `RESULT k=... mode=...` lines (see round-worker.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TRAINING_NODE_FLAGS } from '@fedssd/tensor';
import { MissingPrerequisite, exitOnError } from './prerequisites.js';
import { runForResults } from './run-process.js';
import { positiveInt } from './train-setup.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '10,100,500' },
    modes: { type: 'string', default: 'arrival,end' },
    'end-max': { type: 'string', default: '50' },
    width: { type: 'string', default: '1' },
    'checkpoint-every': { type: 'string', default: '8' },
    'redis-server': { type: 'string', default: 'redis-server' },
  },
});

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A private, non-persistent redis-server; resolves once it answers PING. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(args['redis-server'], ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i += 1) {
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout.trim() === 'PONG') return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

async function main(): Promise<void> {
  if (spawnSync(args['redis-server'], ['--version']).error !== undefined) {
    throw new MissingPrerequisite(`${args['redis-server']} not found: run 'apt-get install redis-server' or pass --redis-server <path>`);
  }
  const ks = args.clients.split(',').map((k) => positiveInt('clients', k));
  const endMax = positiveInt('end-max', args['end-max']);
  for (const k of ks) {
    for (const mode of args.modes.split(',')) {
      if (mode === 'end' && k > endMax) {
        console.log(`skip k=${k} mode=end: keeps ${k} updates in Redis at once (raise --end-max to run it)`);
        continue;
      }
      const port = await freePort();
      const redis = await startRedis(port);
      try {
        const lines = await runForResults(process.execPath, [
          ...TRAINING_NODE_FLAGS,
          '--conditions=source',
          '--import',
          'tsx',
          here('./round-worker.ts'),
          '--redis',
          `redis://127.0.0.1:${port}`,
          '--clients',
          String(k),
          '--mode',
          mode,
          '--width',
          args.width,
          '--checkpoint-every',
          args['checkpoint-every'],
        ]);
        for (const line of lines)
          console.log(
            `RESULT ${Object.entries(line)
              .map(([a, b]) => `${a}=${b}`)
              .join(' ')}`,
          );
      } finally {
        redis.kill('SIGTERM');
      }
    }
  }
}

main().catch(exitOnError);
