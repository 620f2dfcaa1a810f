import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TRAINING_NODE_FLAGS } from '@fedssd/tensor';
import { UserError } from './user-error.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const UP_HELP = `Usage: fedssd up [flags]

Starts the api, the aggregator and N trainers on this machine against RabbitMQ and Redis
(RABBITMQ_URL / REDIS_URL, default localhost). Ctrl-C stops them all.

  --trainers N        trainer processes (default 2)
  --api-port P        api port (default 8080)
  --metrics-port P    aggregator /metrics port (default 9101); trainers use the next ports
  --token T           API bearer token (default: API_TOKEN, else a random one, printed)
  --prefix P          prefix for queues and keys (parallel stacks on one broker)
  --backend B         trainer TF.js backend: auto|wasm|cpu|tensorflow (default auto)
`;

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * The compiled entry point when built, else the TypeScript source through tsx. The services that
 * run kernels get the training flags (V8's GC off the kernel threads' cores), as in the images.
 */
export function serviceArgs(service: string): string[] {
  const flags = service === 'api' ? [] : [...TRAINING_NODE_FLAGS];
  const dist = `${ROOT}services/${service}/dist/main.js`;
  return existsSync(dist)
    ? [...flags, dist]
    : [...flags, '--conditions=source', '--import', 'tsx', `${ROOT}services/${service}/src/main.ts`];
}

function start(name: string, service: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, serviceArgs(service), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  const relay = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) stream.write(`${prefix}${line}\n`);
  };
  child.stdout?.on('data', relay(process.stdout));
  child.stderr?.on('data', relay(process.stderr));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, process: child, exited };
}

/** `fedssd up`: the whole stack as child processes; resolves with the exit code once all stopped. */
export async function upCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        trainers: { type: 'string' },
        'api-port': { type: 'string' },
        'metrics-port': { type: 'string' },
        token: { type: 'string' },
        prefix: { type: 'string' },
        backend: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n\n${UP_HELP}`);
  }
  const trainers = Number(values.trainers ?? 2);
  if (!Number.isInteger(trainers) || trainers < 1 || trainers > 32)
    throw new UserError(`--trainers: must be an integer between 1 and 32 (got ${values.trainers})`);
  const apiPort = Number(values['api-port'] ?? 8080);
  if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65535)
    throw new UserError(`--api-port: must be between 1 and 65535 (got ${values['api-port']})`);
  const metricsPort = Number(values['metrics-port'] ?? 9101);
  if (!Number.isInteger(metricsPort) || metricsPort < 1 || metricsPort + trainers > 65535)
    throw new UserError(`--metrics-port: must be between 1 and ${65535 - trainers} (got ${values['metrics-port']})`);
  const token = (values.token as string | undefined) ?? process.env.API_TOKEN ?? randomBytes(18).toString('base64url');
  if (token.length < 16) throw new UserError('--token: must be at least 16 characters');
  const shared: Record<string, string> = {
    RABBITMQ_URL: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...(typeof values.prefix === 'string' ? { FEDSSD_PREFIX: values.prefix } : {}),
  };
  const children: Child[] = [
    start('api', 'api', { ...shared, API_PORT: String(apiPort), API_HOST: '127.0.0.1', API_TOKEN: token }),
    start('aggregator', 'aggregator', { ...shared, AGGREGATOR_METRICS_PORT: String(metricsPort) }),
    ...Array.from({ length: trainers }, (_, i) =>
      start(`trainer-${i + 1}`, 'trainer', {
        ...shared,
        TRAINER_METRICS_PORT: String(metricsPort + 1 + i),
        TRAINER_ID: `trainer-${i + 1}`,
        ...(typeof values.backend === 'string' ? { FEDSSD_BACKEND: values.backend } : {}),
      }),
    ),
  ];
  process.stderr.write(
    [
      `fedssd up: api http://127.0.0.1:${apiPort} (docs /docs), aggregator metrics :${metricsPort}, ${trainers} trainer(s) on :${metricsPort + 1}+`,
      `  token: ${values.token || process.env.API_TOKEN ? '(as given)' : token}`,
      `  next:  FEDSSD_API_TOKEN=<token> npx fedssd submit --dataset synthetic --rounds 3`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGTERM');
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  // One service dying unexpectedly takes the stack down: a half stack only confuses.
  for (const c of children) {
    void c.exited.then((code) => {
      if (!stopping) {
        process.stderr.write(`fedssd up: ${c.name} exited with code ${code}; stopping the rest\n`);
        stopAll();
      }
    });
  }
  const codes = await Promise.all(children.map((c) => c.exited));
  const failed = children
    .map((c, i) => ({ name: c.name, code: codes[i] }))
    .filter((c) => c.code !== 0)
    .map((c) => `${c.name}=${c.code}`);
  process.stderr.write(
    failed.length ? `fedssd up: stopped; non-zero exits: ${failed.join(', ')}\n` : 'fedssd up: all services stopped cleanly\n',
  );
  return failed.length ? 1 : 0;
}
