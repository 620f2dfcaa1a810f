import { ConfigError, envInt, envUrlList, loadConfig, readTlsFiles, tlsFileFields } from '@fedssd/config';
import { DEFAULT_JOB_ATTEMPTS } from '@fedssd/protocol';
import { TransportUnavailableError, upgradeQueuesToQuorum } from '@fedssd/transport';
import { z } from 'zod';
import { UserError } from './user-error.js';

export const BROKER_HELP = `Usage: fedssd broker upgrade-queues

Replaces a deployment's classic queues (releases before quorum queues) by the quorum queues this
release declares, keeping every message (docs/OPERATIONS.md, "Upgrade to quorum queues"). Stop
the api, the aggregators and the trainers first: a queue with consumers is refused. Safe to run
again; an interrupted run is finished by the next one. From the environment:
  RABBITMQ_URL          broker (default amqp://guest:guest@127.0.0.1:5672); RABBITMQ_TLS_*_FILE for amqps:
  FEDSSD_PREFIX         deployment prefix (default none)
  FEDSSD_JOB_ATTEMPTS   deliveries of a job before it fails, as the services use (default ${DEFAULT_JOB_ATTEMPTS})
`;

/** The command's environment, parsed once. */
export const BrokerConfigSchema = z.object({
  RABBITMQ_URL: envUrlList(['amqp:', 'amqps:']).default('amqp://guest:guest@127.0.0.1:5672'),
  ...tlsFileFields('RABBITMQ'),
  FEDSSD_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1-64 characters of [A-Za-z0-9_-]' })
    .optional(),
  FEDSSD_JOB_ATTEMPTS: envInt(1, 100).default(DEFAULT_JOB_ATTEMPTS),
});

/** `fedssd broker upgrade-queues`: one line per queue; every operator mistake is one line and exit 2. */
export async function brokerCommand(argv: string[]): Promise<number> {
  const [action, ...extra] = argv;
  if (action !== 'upgrade-queues') {
    throw new UserError(`broker: expected upgrade-queues (got ${action === undefined ? 'nothing' : `"${action}"`})\n\n${BROKER_HELP}`);
  }
  if (extra.length > 0) throw new UserError(`broker upgrade-queues: unexpected argument "${extra[0]}"`);
  let config: z.output<typeof BrokerConfigSchema>;
  let tls: ReturnType<typeof readTlsFiles>;
  try {
    config = loadConfig(BrokerConfigSchema, process.env);
    tls = readTlsFiles('RABBITMQ', config);
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message);
    throw error;
  }
  try {
    await upgradeQueuesToQuorum({
      url: config.RABBITMQ_URL,
      jobAttempts: config.FEDSSD_JOB_ATTEMPTS,
      ...(config.FEDSSD_PREFIX !== undefined ? { prefix: config.FEDSSD_PREFIX } : {}),
      ...(tls !== undefined ? { tls } : {}),
      onQueue: (r) => process.stdout.write(`${r.queue}: ${r.action}${r.moved > 0 ? `, ${r.moved} message(s) carried over` : ''}\n`),
    });
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // Refusals (consumers attached), an unreachable broker, bad credentials: the operator's to fix.
    if (error instanceof TransportUnavailableError || /consumer\(s\)|ECONNREFUSED|ACCESS_REFUSED|ENOTFOUND/.test(message)) {
      throw new UserError(`broker upgrade-queues: ${message}`);
    }
    throw error;
  }
  process.stdout.write('every queue is a quorum queue; start the services again\n');
  return 0;
}
