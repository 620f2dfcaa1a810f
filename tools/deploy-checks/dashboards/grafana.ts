/**
 * A small builder for Grafana dashboard JSON (schema 39, Grafana 10/11). Only what our three
 * dashboards use: time series, stat and bar-gauge panels on one Prometheus data source chosen
 * through a `datasource` variable, so the same JSON works in compose and in a cluster's Grafana.
 */

/** One PromQL query of a panel; `legend` is Grafana's legendFormat (e.g. `{{outcome}}`). */
export interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'bargauge' | 'table';
  queries: Query[];
  /** Grafana unit id (s, bytes, percentunit, short, reqps, ...); default short. */
  unit?: string;
  description?: string;
  /** Width in grid columns out of 24; default 12. Height is 8 rows (stat: 4). */
  width?: number;
  /** Instant queries (latest value) instead of ranges; default false. */
  instant?: boolean;
  min?: number;
  max?: number;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** Extra template variables (Prometheus label_values queries), e.g. run_id. */
  variables?: Array<{ name: string; label: string; query: string; multi?: boolean }>;
  /** Rows of panels, laid out left to right, wrapping at 24 columns. */
  rows: Array<{ title: string; panels: PanelSpec[] }>;
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

function panelJson(spec: PanelSpec, id: number, x: number, y: number, h: number) {
  const refIds = 'ABCDEFGHIJ';
  return {
    id,
    type: spec.type,
    title: spec.title,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    datasource: DATASOURCE,
    gridPos: { h, w: spec.width ?? 12, x, y },
    fieldConfig: {
      defaults: {
        unit: spec.unit ?? 'short',
        ...(spec.min !== undefined ? { min: spec.min } : {}),
        ...(spec.max !== undefined ? { max: spec.max } : {}),
      },
      overrides: [],
    },
    options:
      spec.type === 'timeseries'
        ? { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } }
        : { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } },
    targets: spec.queries.map((q, i) => ({
      refId: refIds[i] ?? `Q${i}`,
      datasource: DATASOURCE,
      expr: q.expr,
      legendFormat: q.legend ?? '__auto',
      range: !(spec.instant ?? false),
      instant: spec.instant ?? false,
    })),
  };
}

/** Builds the dashboard JSON object (stable key order, so the committed file diffs cleanly). */
export function buildDashboard(spec: DashboardSpec): Record<string, unknown> {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? 12;
      const h = panel.type === 'stat' ? 4 : 8;
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push(panelJson(panel, id++, x, y, h));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  const variables = [
    { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1 },
    ...(spec.variables ?? []).map((v) => ({
      name: v.name,
      label: v.label,
      type: 'query',
      datasource: DATASOURCE,
      query: { query: v.query, refId: 'vars' },
      definition: v.query,
      refresh: 2,
      multi: v.multi ?? true,
      includeAll: true,
      current: {},
      hide: 0,
      sort: 1,
    })),
  ];
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: false,
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    graphTooltip: 1,
    annotations: { list: [] },
    templating: { list: variables },
    panels,
  };
}
