import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { REDACT_PATHS, redactUrlCredentials, scrubStrings } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerConfig {
  /** Service name, on every line as `service`. */
  service: string;
  /** Minimum level; default 'info'. */
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Human-readable output. Honoured only when stdout is a TTY and `pino-pretty` is installed
   * (it is optional); otherwise JSON lines, which is what log collectors want.
   */
  pretty?: boolean;
  /** Where lines go; default stdout. Tests pass a stream to capture them. */
  destination?: DestinationStream;
}

function prettyTransport(): LoggerOptions['transport'] | undefined {
  if (!process.stdout.isTTY) return undefined;
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return { target: 'pino-pretty', options: { colorize: true } };
  } catch {
    return undefined;
  }
}

/**
 * A pino logger. Log with the object first and a short constant message
 * (`log.info({ runId, round }, 'round opened')`) and use `child({ runId })` for context.
 * Authorization headers, `token`/`password` fields (top level and one level down) and
 * credentials inside URLs are redacted.
 */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrubStrings(object) as Record<string, unknown>,
    },
    hooks: {
      // Messages should be constant, but a URL interpolated into one must not leak either.
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactUrlCredentials(arg) : arg));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  if (config.destination !== undefined) return pino(options, config.destination);
  const transport = config.pretty === true ? prettyTransport() : undefined;
  return pino(transport === undefined ? options : { ...options, transport });
}
