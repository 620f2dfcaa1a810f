import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DASHBOARDS, renderDashboard } from '../../deploy-checks/dashboards/index.js';
import { runTool } from '../../deploy-checks/external-tool.js';
import { DASHBOARD_DIR, panelQueries, readCommittedDashboards } from '../../deploy-checks/committed-dashboards.js';
import { loadKnownMetrics, REPO_ROOT } from '../../deploy-checks/known-metrics.js';
import { familyOf, metricNamesIn, substituteGrafanaVariables } from '../../deploy-checks/promql-names.js';
import { withTool } from './helpers.js';

const dashboards = readCommittedDashboards();
const committed = dashboards.map((d) => d.file);
/** Every query of every dashboard: panel targets and template-variable queries. */
const queries = [
  ...panelQueries(dashboards).map((q) => ({ ...q, promql: true })),
  // Variable queries are Grafana's label_values(metric, label), not PromQL.
  ...dashboards.flatMap(({ json }) =>
    json.templating.list
      .filter((v) => v.definition)
      .map((v) => ({ where: `${json.title} / $${v.name}`, expr: v.definition!, promql: false })),
  ),
];

describe('grafana dashboards', () => {
  it('when the committed JSON is compared with the specs, then nothing drifted', () => {
    expect(committed.sort()).toEqual(Object.keys(DASHBOARDS).sort());
    for (const [file, spec] of Object.entries(DASHBOARDS)) {
      expect(
        readFileSync(DASHBOARD_DIR + file, 'utf8'),
        `${file} is stale: run npx tsx tools/deploy-checks/dashboards/write-dashboards.ts`,
      ).toBe(renderDashboard(spec));
    }
  });

  it('when the dashboards are listed, then run overview, representation quality, infrastructure and sites exist with unique uids', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.sort()).toEqual(['fedssd-infrastructure', 'fedssd-representation', 'fedssd-run-overview', 'fedssd-sites']);
    for (const { json } of dashboards)
      expect(json.panels.filter((p) => p.type !== 'row').every((p) => (p.targets ?? []).length > 0)).toBe(true);
  });

  it('when every panel query is scanned, then each metric it names is exported by a service, RabbitMQ, Redis or a recording rule', async () => {
    const known = await loadKnownMetrics();
    const unknown = queries.flatMap((q) =>
      metricNamesIn(q.expr)
        .map((n) => familyOf(n, known.histograms))
        .filter((n) => !known.has(n))
        .map((n) => `${q.where}: ${n}`),
    );
    expect(unknown).toEqual([]);
    // Every metric the services define is on some panel (a new metric needs a panel).
    const used = new Set(queries.flatMap((q) => metricNamesIn(q.expr).map((n) => familyOf(n, known.histograms))));
    const ours = [...known.services].filter((n) => n.startsWith('fedssd_'));
    expect(ours.filter((n) => !used.has(n))).toEqual([]);
  });

  it('when the Sites dashboard is read, then every per-site series is on it, filtered by the $site variable, one line per site', () => {
    const sites = dashboards.find((d) => d.json.uid === 'fedssd-sites')!.json;
    expect(sites.templating.list.map((v) => v.definition).filter(Boolean)).toEqual(['label_values(fedssd_site_samples, site)']);
    const exprs = panelQueries([{ json: sites }]).map((q) => q.expr);
    for (const name of [
      'fedssd_site_last_heartbeat_timestamp_seconds',
      'fedssd_site_samples',
      'fedssd_site_updates_total',
      'fedssd_site_last_update_timestamp_seconds',
      'fedssd_site_train_seconds',
      'fedssd_site_uniformity',
      'fedssd_site_effective_rank',
      'fedssd_site_own_slice_energy',
    ])
      expect(
        exprs.some((e) => metricNamesIn(e).includes(name)),
        name,
      ).toBe(true);
    for (const expr of exprs) expect(expr, expr).toContain('site=~"$site"');
    // Panels that draw per-site lines keep the site label (a sum without "by (site)" would merge them).
    const perSite = panelQueries([{ json: sites }]).filter((q) => !/^fedssd \/ Sites \/ (Sites |Updates rejected in)/.test(q.where));
    for (const { where, expr } of perSite) expect(/^(sum|count|avg|max|min)\(/.test(expr), where).toBe(false);
  });

  it('when a query names a metric nobody exports, then the scan reports it', async () => {
    const known = await loadKnownMetrics();
    const names = metricNamesIn('sum by (queue) (rate(fedssd_rounds_totl[5m])) / on () group_left count(up{job="x"})');
    expect(names.filter((n) => !known.has(familyOf(n, known.histograms)))).toEqual(['fedssd_rounds_totl']);
  });

  withTool('promtool', () => {
    it('when every panel query is parsed by promtool (as a recording rule), then all are valid PromQL', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fedssd-dash-'));
      try {
        const panelQueries = queries.filter((q) => q.promql);
        const rules = panelQueries.map((q, i) => ({ record: `dashboard:query:${i}`, expr: substituteGrafanaVariables(q.expr) }));
        writeFileSync(join(dir, 'queries.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
        const { code, output } = await runTool('promtool', ['check', 'rules', join(dir, 'queries.yml')], REPO_ROOT);
        expect(output).toContain(`SUCCESS: ${panelQueries.length} rules found`);
        expect(code, output).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('when Grafana provisioning is read, then it loads the dashboards folder compose mounts', () => {
    const provider = readFileSync(`${REPO_ROOT}deploy/grafana/provisioning/dashboards/fedssd.yaml`, 'utf8');
    const compose = readFileSync(`${REPO_ROOT}deploy/compose.yaml`, 'utf8');
    expect(provider).toContain('path: /var/lib/grafana/dashboards');
    expect(compose).toContain('./grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });
});
