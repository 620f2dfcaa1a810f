import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@fedssd/config';
import { createFederationAdmin, FederationAdminConfigSchema, FederationError, type FederationAdmin } from '@fedssd/federation';
import { checkSiteName, MAX_DECLARED_SAMPLES, type SiteRecord } from '@fedssd/protocol';
import { renderTable } from './table.js';
import { UserError } from './user-error.js';

export const SITE_HELP = `Usage: fedssd site add NAME [--samples N] [--out DIR]
       fedssd site list [--json]
       fedssd site revoke NAME

Enrols, lists and revokes the sites of a federation (docs/FEDERATION.md). Runs with admin
credentials, from the environment:
  RABBITMQ_MANAGEMENT_URL     management API (default http://127.0.0.1:15672; credentials may be in it)
  RABBITMQ_ADMIN_USER, RABBITMQ_ADMIN_PASSWORD (or RABBITMQ_ADMIN_PASSWORD_FILE)   a user with the administrator tag
  REDIS_ADMIN_URL             Redis as a user allowed to run ACL and CLIENT KILL (default redis://127.0.0.1:6379)
  FEDSSD_PREFIX               deployment prefix (default none)
  FEDSSD_SITE_RABBITMQ_URL, FEDSSD_SITE_REDIS_URL   the URLs sites connect to (written into the bundle)
  With Redis replicas and Sentinels (docs/OPERATIONS.md, "Redis through Sentinel"):
  REDIS_ADMIN_REPLICA_URLS    the other Redis servers, comma-separated: every user is written on each
  REDIS_ADMIN_SENTINEL_URLS   the Sentinels as their admin user: every user gets a lookup-only login there
  FEDSSD_SITE_REDIS_SENTINELS, FEDSSD_SITE_REDIS_SENTINEL_NAME   host:port,... and primary name for the bundle

  add      creates the site's RabbitMQ and Redis users, permissions and job queue, and writes its
           credentials once: DIR/NAME.env and DIR/NAME-secret.yaml (mode 0600; default DIR ./sites)
           --samples N   most samples the site may report per update (default 100000)
  list     every enrolled site with its state (--json for machine-readable output)
  revoke   deletes the site's users (closing its connections) and its job queue; the name stays taken
`;

const DEFAULT_SAMPLES = 100_000;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { samples: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n\n${SITE_HELP}`);
  }
}

async function connect(): Promise<FederationAdmin> {
  try {
    return await createFederationAdmin(loadConfig(FederationAdminConfigSchema, process.env));
  } catch (error) {
    throw asUserError(error);
  }
}

/** Operator mistakes and unreachable services read as one clear line; anything else stays internal. */
function asUserError(error: unknown): unknown {
  if (error instanceof ConfigError) return new UserError(error.message);
  if (error instanceof FederationError) return new UserError(error.message);
  return error;
}

/** Where `add` writes the bundle: fails before enrolment, so credentials are never created and then lost. */
async function prepareOut(dir: string, name: string): Promise<{ env: string; secret: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await access(dir, constants.W_OK).catch(() => {
    throw new UserError(`--out: ${dir} is not writable`);
  });
  const paths = { env: join(dir, `${name}.env`), secret: join(dir, `${name}-secret.yaml`) };
  for (const path of Object.values(paths)) {
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new UserError(`--out: ${path} already exists; move it away first (credentials are never overwritten)`);
  }
  return paths;
}

function samplesOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SAMPLES;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_DECLARED_SAMPLES) {
    throw new UserError(`--samples: must be an integer between 1 and ${MAX_DECLARED_SAMPLES} (got ${JSON.stringify(text)})`);
  }
  return n;
}

/** Checked before anything is created (the output folder included). */
function nameOf(name: string): string {
  try {
    return checkSiteName(name);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

const table = (sites: SiteRecord[]) =>
  renderTable(
    ['site', 'state', 'declared samples', 'user', 'enrolled', 'revoked'],
    sites.map((s) => [s.name, s.state, String(s.declaredSamples), s.user, s.enrolledAt ?? '-', s.revokedAt ?? '-']),
  );

/** `fedssd site add|list|revoke`. */
export async function siteCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const [action, name, ...extra] = positionals;
  if (action === undefined || !['add', 'list', 'revoke'].includes(action)) {
    throw new UserError(`site: expected add, list or revoke (got ${action === undefined ? 'nothing' : `"${action}"`})\n\n${SITE_HELP}`);
  }
  if (action !== 'list' && name === undefined) throw new UserError(`site ${action}: NAME is required\n\n${SITE_HELP}`);
  if (extra.length > 0 || (action === 'list' && name !== undefined))
    throw new UserError(`site ${action}: unexpected argument "${extra[0] ?? name}"`);
  const samples = samplesOf(values.samples);
  if (name !== undefined) nameOf(name);
  const paths = action === 'add' ? await prepareOut(resolve(values.out ?? 'sites'), name as string) : undefined;
  const admin = await connect();
  try {
    if (action === 'list') {
      const sites = await admin.listSites();
      process.stdout.write(
        values.json === true ? `${JSON.stringify(sites, null, 2)}\n` : sites.length === 0 ? 'no sites enrolled\n' : `${table(sites)}\n`,
      );
    } else if (action === 'add') {
      const { record, bundle } = await admin.provisionSite({ name: name as string, declaredSamples: samples });
      await writeFile(paths!.env, bundle.envFile, { mode: 0o600, flag: 'wx' });
      await writeFile(paths!.secret, bundle.secretYaml, { mode: 0o600, flag: 'wx' });
      process.stdout.write(
        `enrolled site ${record.name} (user ${record.user}, at most ${record.declaredSamples} samples per update)\n` +
          `credentials, shown only this once:\n  ${paths!.env}\n  ${paths!.secret}\n` +
          'hand them to the site over a private channel, then delete them here.\n',
      );
    } else {
      const result = await admin.revokeSite(name as string);
      process.stdout.write(
        `revoked site ${result.record.name} at ${result.record.revokedAt}: users deleted, job queue deleted; ` +
          `${result.redisConnectionsKilled} Redis connection(s) killed, ${result.rabbitConnectionsClosed} broker connection(s) closed by hand ` +
          '(RabbitMQ closes the rest itself when the user is deleted)\n',
      );
    }
    return 0;
  } catch (error) {
    throw asUserError(error);
  } finally {
    await admin.close();
  }
}
