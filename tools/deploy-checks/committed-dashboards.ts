/** The committed Grafana dashboards (deploy/grafana/dashboards/*.json) and their panel queries. */
import { readFileSync, readdirSync } from 'node:fs';
import { REPO_ROOT } from './known-metrics.js';

export const DASHBOARD_DIR = `${REPO_ROOT}deploy/grafana/dashboards/`;

export interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; definition?: string }> };
}

/** Every committed dashboard file, parsed. */
export function readCommittedDashboards(): Array<{ file: string; json: Dashboard }> {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, json: JSON.parse(readFileSync(DASHBOARD_DIR + file, 'utf8')) as Dashboard }));
}

/** Every panel target of `dashboards` as written (Grafana variables still in), named `<dashboard> / <panel>`. */
export function panelQueries(dashboards: ReadonlyArray<{ json: Dashboard }>): Array<{ where: string; expr: string }> {
  return dashboards.flatMap(({ json }) =>
    json.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${json.title} / ${p.title}`, expr: t.expr }))),
  );
}
