/**
 * Metric names referenced by a PromQL expression, found without a full parser: string literals,
 * label matchers, grouping label lists, range selectors and Grafana variables are removed, then
 * every remaining identifier that is not a PromQL function, aggregation or keyword is a metric.
 * Good enough for our rules and dashboards; `promtool check rules` checks the real syntax.
 */

const FUNCTIONS = new Set([
  'abs',
  'absent',
  'absent_over_time',
  'avg',
  'avg_over_time',
  'bottomk',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'count',
  'count_over_time',
  'count_values',
  'day_of_month',
  'day_of_week',
  'delta',
  'deriv',
  'exp',
  'floor',
  'group',
  'histogram_quantile',
  'holt_winters',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'max',
  'max_over_time',
  'min',
  'min_over_time',
  'minute',
  'month',
  'predict_linear',
  'present_over_time',
  'quantile',
  'quantile_over_time',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sort',
  'sort_desc',
  'sqrt',
  'stddev',
  'stddev_over_time',
  'stdvar',
  'stdvar_over_time',
  'sum',
  'sum_over_time',
  'time',
  'timestamp',
  'topk',
  'vector',
  'year',
  // Grafana's templating function, used in variable queries.
  'label_values',
]);
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Grafana's `$__rate_interval`, `${var}` and `$var` placeholders, replaced before parsing. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_)?interval|\$__range/g, '5m').replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '.*');
}

/** Metric names in `expr`, sorted and unique. */
export function metricNamesIn(expr: string): string[] {
  const stripped = substituteGrafanaVariables(expr)
    .replace(/\blabel_values\(\s*([^,()]+?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)/g, ' $1 ') // Grafana: metric, label
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range selectors and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, ' '); // numbers
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const rest = stripped.slice((match.index ?? 0) + token.length).trimStart();
    if (KEYWORDS.has(token.toLowerCase())) continue;
    if (FUNCTIONS.has(token) && rest.startsWith('(')) continue;
    names.add(token);
  }
  return [...names].sort();
}

/** The metric family a series name belongs to: histogram parts map to their base name. */
export function familyOf(name: string, histograms: ReadonlySet<string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix) && histograms.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
  }
  return name;
}
