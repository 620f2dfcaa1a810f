/**
 * Regenerates deploy/grafana/dashboards/*.json from the specs in this folder:
 *   npx tsx tools/deploy-checks/dashboards/write-dashboards.ts
 * tools/test/deploy/dashboards.test.ts fails when the committed JSON drifts from the specs.
 */
import { writeFileSync } from 'node:fs';
import { DASHBOARDS, renderDashboard } from './index.js';

const dir = new URL('../../../deploy/grafana/dashboards/', import.meta.url);
for (const [file, spec] of Object.entries(DASHBOARDS)) {
  writeFileSync(new URL(file, dir), renderDashboard(spec));
  console.log(`wrote deploy/grafana/dashboards/${file}`);
}
