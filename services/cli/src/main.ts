import { SIMULATE_HELP } from './simulate-args.js';
import { simulateCommand } from './simulate-command.js';
import { compareCommand } from './compare-command.js';
import { SUBMIT_HELP, submitCommand } from './submit-command.js';
import { UP_HELP, upCommand } from './up-command.js';
import { toUserMessage } from './user-error-mapping.js';
import { DATA_SPLIT_HELP, dataSplitCommand } from './data-split-command.js';
import { SITE_HELP, siteCommand } from './site-command.js';
import { BROKER_HELP, brokerCommand } from './broker-command.js';

const HELP = `Usage: fedssd <command> [flags]

Commands:
  simulate   one-process federated run with K virtual clients (in-memory transport)
  compare    DIR [--chart F.svg]: mean ± std per method over the simulate reports in DIR
  up         api + aggregator + N trainers on this machine (RabbitMQ and Redis from the environment)
  submit     create a run through the API and follow it to the end
  data split write each client's share of a data set as image folders (one per site)
  site       add NAME | list | revoke NAME: enrol and revoke federation sites (admin credentials)
  broker     upgrade-queues: move a deployment's classic queues to quorum queues, keeping their messages

Run \`fedssd <command> --help\` for its flags.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === 'simulate') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(SIMULATE_HELP);
      return 0;
    }
    await simulateCommand(rest, controller.signal);
    return 0;
  }
  const help = rest.includes('--help') || rest.includes('-h');
  if (command === 'up') {
    if (help) {
      process.stdout.write(UP_HELP);
      return 0;
    }
    return upCommand(rest);
  }
  if (command === 'submit') {
    if (help) {
      process.stdout.write(SUBMIT_HELP);
      return 0;
    }
    return submitCommand(rest);
  }
  if (command === 'data') {
    if (help) {
      process.stdout.write(DATA_SPLIT_HELP);
      return 0;
    }
    if (rest[0] !== 'split') {
      process.stderr.write(
        `fedssd: data: expected the subcommand split (got ${rest[0] === undefined ? 'nothing' : `"${rest[0]}"`})\n\n${DATA_SPLIT_HELP}`,
      );
      return 2;
    }
    return dataSplitCommand(rest.slice(1));
  }
  if (command === 'site') {
    if (help) {
      process.stdout.write(SITE_HELP);
      return 0;
    }
    return siteCommand(rest);
  }
  if (command === 'broker') {
    if (help) {
      process.stdout.write(BROKER_HELP);
      return 0;
    }
    return brokerCommand(rest);
  }
  if (command === 'compare') {
    compareCommand(rest);
    return 0;
  }
  process.stderr.write(`fedssd: unknown command "${command}"\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const user = toUserMessage(error);
    if (user !== undefined) {
      process.stderr.write(`fedssd: ${user}\n`);
      process.exitCode = 2;
    } else if ((error as Error)?.name === 'AbortError') {
      process.stderr.write('fedssd: interrupted\n');
      process.exitCode = 130;
    } else {
      process.stderr.write(`fedssd: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
