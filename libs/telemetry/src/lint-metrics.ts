import type { Registry } from 'prom-client';

/** Name and type of one metric, as a registry reports them. */
export interface MetricDescriptor {
  name: string;
  type: string;
}

const NAME = /^fedssd_[a-z0-9_]+$/;
/** Base units a histogram or summary may measure in (Prometheus naming: base units only). */
const BASE_UNITS = ['_seconds', '_bytes', '_ratio', '_samples'];
/** Non-base units that must not appear in a name. */
const NON_BASE_UNITS = /_(ms|milliseconds|millis|us|microseconds|minutes|hours|kb|kib|mb|mib|gb|gib|percent)(_|$)/;

/**
 * Prometheus naming problems of our own metrics (`prefix` default `fedssd_`): snake case with the
 * prefix, counters end in `_total` and nothing else does, histograms and summaries name a base
 * unit, no non-base units. Returns one line per problem; empty means clean.
 */
export function lintMetricNames(metrics: readonly MetricDescriptor[]): string[] {
  const problems: string[] = [];
  for (const { name, type } of metrics) {
    if (!NAME.test(name)) problems.push(`${name}: must match ${NAME.source}`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter must end in _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: only counters end in _total`);
    if ((type === 'histogram' || type === 'summary') && !BASE_UNITS.some((unit) => name.endsWith(unit))) {
      problems.push(`${name}: a ${type} must end in a base unit (${BASE_UNITS.join(', ')})`);
    }
    if (NON_BASE_UNITS.test(name)) problems.push(`${name}: use base units (seconds, bytes)`);
  }
  return problems;
}

/** Prefixes of prom-client's default process metrics, which follow their own (older) conventions. */
const DEFAULT_METRIC_PREFIXES = ['process_', 'nodejs_'];

/** Lints every metric of `registry` except prom-client's default process metrics. */
export async function lintRegistry(registry: Registry): Promise<string[]> {
  const metrics = await registry.getMetricsAsJSON();
  const own = metrics.filter((m) => !DEFAULT_METRIC_PREFIXES.some((prefix) => m.name.startsWith(prefix)));
  return lintMetricNames(own.map((m) => ({ name: m.name, type: String(m.type) })));
}
