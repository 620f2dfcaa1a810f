import { readdirSync, readFileSync } from 'node:fs';
import { panelQueries, readCommittedDashboards } from '../../../tools/deploy-checks/committed-dashboards.js';
import { substituteGrafanaVariables } from '../../../tools/deploy-checks/promql-names.js';

const ROOT = new URL('../../../', import.meta.url);

/** Histogram series (`_bucket`, `_sum`, `_count`) belong to the family without the suffix. */
function family(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, '');
}

/**
 * The `fedssd_*` metric families named by the Grafana dashboards and the Prometheus rules, read
 * from the committed files (recording-rule outputs such as `fedssd:...` are not service metrics).
 */
export function dashboardAndRuleMetrics(): Set<string> {
  const dir = new URL('deploy/grafana/dashboards/', ROOT);
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(new URL(f, dir), 'utf8'));
  texts.push(readFileSync(new URL('deploy/prometheus/rules/fedssd.rules.yml', ROOT), 'utf8'));
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/\bfedssd_[a-z0-9_]+/g)) names.add(family(m[0]));
  return names;
}

/**
 * Every panel query of the committed dashboards, with Grafana's variables replaced as the
 * dashboard test does (`$__rate_interval` -> 5m, `$run_id` -> `.*`), ready to send to Prometheus.
 */
export function dashboardPanelQueries(): Array<{ where: string; expr: string }> {
  return panelQueries(readCommittedDashboards()).map((q) => ({ ...q, expr: substituteGrafanaVariables(q.expr) }));
}
