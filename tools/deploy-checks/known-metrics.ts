/**
 * Every metric name a dashboard or rule may use: what `createMetrics` in @fedssd/telemetry
 * registers (our metrics plus prom-client's default process metrics), the RabbitMQ and Redis
 * exporter names recorded in known-metrics/*.txt, Prometheus' own synthetic series, and the
 * recording rules defined in deploy/prometheus/rules.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createMetrics } from '@fedssd/telemetry';
import { parse } from 'yaml';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** Series Prometheus makes itself for every target or alert. */
const PROMETHEUS_SYNTHETIC = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
];

export interface KnownMetrics {
  /** Names exported by the fedssd services (histograms by base name). */
  services: Set<string>;
  /** Histogram base names among them (their _bucket/_sum/_count series exist). */
  histograms: Set<string>;
  /** Exporter names by source file, e.g. rabbitmq, redis-exporter. */
  exporters: Map<string, Set<string>>;
  /** Names produced by our recording rules. */
  recorded: Set<string>;
  /** True when `name` (a family name) is any of the above or a Prometheus synthetic series. */
  has(name: string): boolean;
}

function readList(file: string): Set<string> {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim());
  return new Set(lines.filter((l) => l !== '' && !l.startsWith('#')));
}

/** Names recorded by every rule file under deploy/prometheus/rules. */
export function recordingRuleNames(): Set<string> {
  const dir = `${REPO_ROOT}deploy/prometheus/rules/`;
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
    const doc = parse(readFileSync(dir + file, 'utf8')) as { groups: Array<{ rules: Array<{ record?: string }> }> };
    for (const group of doc.groups) for (const rule of group.rules) if (rule.record) names.add(rule.record);
  }
  return names;
}

/** Collects the known names; reads the telemetry registry the services really use. */
export async function loadKnownMetrics(): Promise<KnownMetrics> {
  const metrics = createMetrics({ service: 'deploy-check' });
  const json = await metrics.registry.getMetricsAsJSON();
  const services = new Set(json.map((m) => m.name));
  const histograms = new Set(json.filter((m) => String(m.type) === 'histogram').map((m) => m.name));
  const exporters = new Map<string, Set<string>>();
  const dir = `${REPO_ROOT}tools/deploy-checks/known-metrics/`;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) exporters.set(file.replace(/\.txt$/, ''), readList(dir + file));
  const recorded = recordingRuleNames();
  return {
    services,
    histograms,
    exporters,
    recorded,
    has: (name) =>
      services.has(name) ||
      recorded.has(name) ||
      PROMETHEUS_SYNTHETIC.includes(name) ||
      [...exporters.values()].some((set) => set.has(name)),
  };
}
