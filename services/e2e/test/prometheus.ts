import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT, waitFor } from '../../../tools/test-support/processes.js';

/** A real Prometheus server (Debian's `prometheus` package) and its HTTP API. */
export interface PrometheusServer {
  readonly url: string;
  /** `data.result` of an API query; throws with Prometheus's error text when the query fails. */
  query(path: '/api/v1/query' | '/api/v1/query_range', params: Record<string, string>): Promise<unknown[]>;
  output(): string;
  stop(): Promise<void>;
}

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  static_configs?: { targets: string[] }[];
}

/** Which of the needed binaries are missing, as an install hint (undefined: all there). */
export function missingBinaries(): string | undefined {
  const missing = ['prometheus', 'prometheus-redis-exporter'].filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
  return missing.length === 0
    ? undefined
    : `missing ${missing.join(', ')} (apt-get install -y --no-install-recommends ${missing.join(' ')})`;
}

/**
 * The committed `deploy/prometheus/prometheus.yml` with the compose host names replaced by local
 * addresses (`targets[job]`), 1 s scrape and rule intervals, and the committed rule files. Job
 * names stay as committed, because the rules and dashboards select on them.
 */
export function localPrometheusConfig(targets: Record<string, string[]>): string {
  const config = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
  };
  config.global = { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  config.rule_files = config.rule_files.map((pattern) => join(ROOT, 'deploy/prometheus', pattern));
  for (const job of config.scrape_configs) {
    const local = targets[job.job_name];
    if (local === undefined) throw new Error(`no local target given for scrape job ${job.job_name}`);
    job.static_configs = [{ targets: local }];
  }
  return stringify(config);
}

/** Starts `prometheus` on `port` with {@link localPrometheusConfig}; resolves once it is ready. */
export async function startPrometheus(port: number, targets: Record<string, string[]>): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fedssd-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, localPrometheusConfig(targets));
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-50_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const server: PrometheusServer = {
    url,
    output: () => text,
    async query(path, params) {
      const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      if (body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
      return body.data?.result ?? [];
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('prometheus ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000, 200);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n${text}`, { cause: error });
  }
  return server;
}

/** Debian's `prometheus-redis-exporter` for the Redis at `redisAddr`, on `port`. */
export function startRedisExporter(port: number, redisAddr: string): { stop(): Promise<void> } {
  const child = spawn('prometheus-redis-exporter', [`--redis.addr=${redisAddr}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
