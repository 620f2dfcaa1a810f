import { buildDashboard, type DashboardSpec } from './grafana.js';
import { infrastructure } from './infrastructure.js';
import { representation } from './representation.js';
import { runOverview } from './run-overview.js';
import { sites } from './sites.js';

/** The dashboards we ship, by the file name they are committed under in deploy/grafana/dashboards/. */
export const DASHBOARDS: Record<string, DashboardSpec> = {
  'fedssd-run-overview.json': runOverview,
  'fedssd-representation.json': representation,
  'fedssd-infrastructure.json': infrastructure,
  'fedssd-sites.json': sites,
};

/** The committed text of a dashboard: 2-space JSON with a trailing newline. */
export function renderDashboard(spec: DashboardSpec): string {
  return `${JSON.stringify(buildDashboard(spec), null, 2)}\n`;
}
