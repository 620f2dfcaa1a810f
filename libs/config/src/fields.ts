import { z } from 'zod';

/**
 * Field builders for environment variables (always strings). Their messages state the allowed
 * range and the value received, e.g. `API_PORT: must be between 1 and 65535 (got 0)`.
 */

function shown(input: unknown): string {
  if (input === undefined) return 'nothing';
  return typeof input === 'string' ? JSON.stringify(input) : String(input);
}

/** An integer in [min, max] written in decimal. */
export function envInt(min: number, max: number) {
  const range = `must be between ${min} and ${max}`;
  return z
    .string({ error: (iss) => `must be an integer between ${min} and ${max} (got ${shown(iss.input)})` })
    .trim()
    .regex(/^-?\d+$/, { error: (iss) => `must be an integer between ${min} and ${max} (got ${shown(iss.input)})` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: (iss) => `${range} (got ${shown(iss.input)})` })
        .max(max, { error: (iss) => `${range} (got ${shown(iss.input)})` }),
    );
}

/** A TCP port, 1-65535. */
export function envPort() {
  return envInt(1, 65_535);
}

/** A boolean: true/false, 1/0, yes/no, on/off (case-insensitive). Never `z.coerce.boolean()`, which reads "false" as true. */
export function envBool() {
  return z.stringbool({
    truthy: ['true', '1', 'yes', 'on'],
    falsy: ['false', '0', 'no', 'off'],
    error: (iss) => `must be one of true/false, 1/0, yes/no, on/off (got ${shown(iss.input)})`,
  });
}

/** A URL whose scheme is one of `protocols` (e.g. `['amqp:', 'amqps:']`). */
export function envUrl(protocols: readonly string[]) {
  const expected = `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
  return z.string({ error: () => expected }).refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    // The value may carry credentials: never echo it.
    { error: `${expected} (got an invalid or other-scheme URL)` },
  );
}

/**
 * One URL or up to 16 comma-separated ones, each with a scheme of `protocols` (the nodes of a
 * RabbitMQ cluster, tried in turn by the client); normalised to `a,b,c` without blanks.
 */
export function envUrlList(protocols: readonly string[]) {
  const expected = `must be 1-16 comma-separated ${protocols.map((p) => `${p}//`).join(' or ')} URLs`;
  const parts = (value: string) =>
    value
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
  return z
    .string({ error: () => expected })
    .refine(
      (value) => {
        const urls = parts(value);
        return urls.length >= 1 && urls.length <= 16 && urls.every((u) => URL.canParse(u) && protocols.includes(new URL(u).protocol));
      },
      // The value may carry credentials: never echo it.
      { error: `${expected} (got an invalid or other-scheme URL, or none)` },
    )
    .transform((value) => parts(value).join(','));
}

/** One of a closed set of strings. */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (iss) => `must be one of ${values.join(', ')} (got ${shown(iss.input)})` });
}

/** A secret string of at least `minLength` characters; its value never appears in messages. */
export function envSecret(minLength = 1) {
  return z
    .string({ error: () => `must be set (directly or through the matching _FILE variable)` })
    .min(minLength, { error: (iss) => `must be at least ${minLength} characters (got ${String((iss.input as string).length)})` });
}

/** A non-empty string of at most `maxLength` characters. */
export function envString(maxLength = 4096) {
  return z
    .string({ error: () => `must be a string of 1-${maxLength} characters` })
    .min(1, { error: `must be a string of 1-${maxLength} characters (got "")` })
    .max(maxLength, { error: `must be a string of 1-${maxLength} characters` });
}

/** pino log levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A pino log level. */
export function envLogLevel() {
  return envEnum(LOG_LEVELS);
}

const HOST = /^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:]{2,39}\]$/;

/**
 * Sentinel addresses: `host:port,host:port,...` (1-16 entries, IPv6 in brackets), parsed to
 * `{ host, port }` objects; each bad entry is named in the message.
 */
export function envSentinels() {
  const expected = 'must be 1-16 comma-separated host:port entries with ports 1-65535';
  return z.string({ error: () => expected }).transform((text, ctx) => {
    const entries = text
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (entries.length < 1 || entries.length > 16) {
      ctx.addIssue({ code: 'custom', message: `${expected} (got ${entries.length})` });
      return z.NEVER;
    }
    const out: Array<{ host: string; port: number }> = [];
    for (const entry of entries) {
      const at = entry.lastIndexOf(':');
      const host = at > 0 ? entry.slice(0, at) : '';
      const port = Number(at > 0 ? entry.slice(at + 1) : NaN);
      if (!HOST.test(host) || !Number.isInteger(port) || port < 1 || port > 65_535) {
        ctx.addIssue({ code: 'custom', message: `${expected} (got ${shown(entry)})` });
        return z.NEVER;
      }
      out.push({ host: host.startsWith('[') ? host.slice(1, -1) : host, port });
    }
    return out;
  });
}

/**
 * Redis through Sentinel, the same two variables in every service: `REDIS_SENTINELS` (unset:
 * connect to `REDIS_URL` directly) and `REDIS_SENTINEL_NAME`, the monitored primary's name
 * (default `fedssd`). With Sentinels, `REDIS_URL` still gives the user, password and database.
 */
export function sentinelFields() {
  return {
    REDIS_SENTINELS: envSentinels().optional(),
    REDIS_SENTINEL_NAME: envSentinelName().default('fedssd'),
  };
}

/** A Sentinel master name (`sentinel monitor <name> ...`): 1-64 of `[A-Za-z0-9_.-]`. */
export function envSentinelName() {
  return z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: (iss) => `must be 1-64 characters of [A-Za-z0-9_.-] (got ${shown(iss.input)})` });
}

/** The stores' `sentinel` option from a config with {@link sentinelFields}; undefined without Sentinels. */
export function sentinelOption(config: {
  REDIS_SENTINELS?: Array<{ host: string; port: number }> | undefined;
  REDIS_SENTINEL_NAME: string;
}): { sentinels: Array<{ host: string; port: number }>; name: string } | undefined {
  return config.REDIS_SENTINELS === undefined ? undefined : { sentinels: config.REDIS_SENTINELS, name: config.REDIS_SENTINEL_NAME };
}
