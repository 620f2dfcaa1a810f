import type { SentinelOptions } from '@fedssd/transport';
import { stringify } from 'yaml';

/** What a site needs to connect, handed out once at enrolment. */
export interface SiteCredentials {
  site: string;
  /** Deployment prefix ('' for none). */
  prefix: string;
  /** `siteUserName(prefix, site)`: the RabbitMQ and Redis user. */
  user: string;
  rabbitPassword: string;
  redisPassword: string;
  /** Broker URL as seen from the site, without credentials (e.g. `amqps://rabbit.example.org:5671`). */
  rabbitUrl: string;
  /** Redis URL as seen from the site, without credentials (e.g. `rediss://redis.example.org:6380`). */
  redisUrl: string;
  /** Sentinels the site asks for the primary (`REDIS_URL` then gives only user and password); absent: Redis directly. */
  redisSentinels?: SentinelOptions | undefined;
  /** ISO-8601 time of enrolment. */
  enrolledAt: string;
}

/** The bundle: an env file for a plain process and a Kubernetes Secret for `k8s/overlays/site`. */
export interface CredentialsBundle {
  /** `KEY=value` lines, comments first; mode 0600 when written. */
  envFile: string;
  /** A `v1/Secret` named `fedssd-site` whose keys are the env variable names (for `envFrom`). */
  secretYaml: string;
}

function withCredentials(base: string, user: string, password: string): string {
  const url = new URL(base);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString().replace(/\/$/, '');
}

/** Where the site overlay mounts the TLS files (k8s/overlays/site). */
const TLS_DIR = '/etc/fedssd/tls';

/** Builds the env file and the Secret manifest; the passwords appear nowhere else. */
export function credentialsBundle(c: SiteCredentials): CredentialsBundle {
  const env: Record<string, string> = {
    SITE_NAME: c.site,
    FEDSSD_PREFIX: c.prefix,
    RABBITMQ_URL: withCredentials(c.rabbitUrl, c.user, c.rabbitPassword),
    REDIS_URL: withCredentials(c.redisUrl, c.user, c.redisPassword),
  };
  if (c.prefix === '') delete env.FEDSSD_PREFIX;
  if (c.redisSentinels !== undefined) {
    env.REDIS_SENTINELS = c.redisSentinels.sentinels
      .map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`)
      .join(',');
    env.REDIS_SENTINEL_NAME = c.redisSentinels.name;
  }
  const tlsHint = (stem: string) => [
    `# ${stem}_TLS_CA_FILE=${TLS_DIR}/ca.pem`,
    `# ${stem}_TLS_CERT_FILE=${TLS_DIR}/client.pem`,
    `# ${stem}_TLS_KEY_FILE=${TLS_DIR}/client.key`,
  ];
  const envFile = [
    `# fedssd site credentials for site "${c.site}" (user ${c.user}), enrolled ${c.enrolledAt}.`,
    '# Shown once: the server keeps no copy. Anyone holding this file can act as this site; keep it mode 0600.',
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
    "# Folder of this site's images (PNG/JPEG, IDX or CIFAR-10 binaries); they never leave the site.",
    'SITE_DATA_DIR=/path/to/this/site/images',
    "# TLS (amqps:// and rediss:// URLs): the CA that signed the servers' certificates and, if the servers",
    "# require one, this site's client certificate and key. Uncomment and point at your files.",
    ...tlsHint('RABBITMQ'),
    ...tlsHint('REDIS'),
    '',
  ].join('\n');
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'fedssd-site',
      labels: { 'app.kubernetes.io/part-of': 'fedssd', 'app.kubernetes.io/component': 'site-trainer', 'fedssd.io/site': c.site },
      annotations: { 'fedssd.io/enrolled-at': c.enrolledAt },
    },
    type: 'Opaque',
    stringData: env,
  };
  const secretYaml = `# fedssd site credentials for site "${c.site}": apply in the site's namespace (kubectl apply -n NS -f FILE), then delete this file.\n${stringify(secret)}`;
  return { envFile, secretYaml };
}
