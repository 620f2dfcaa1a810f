import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runTool } from '../../deploy-checks/external-tool.js';
import { loadKnownMetrics, REPO_ROOT } from '../../deploy-checks/known-metrics.js';
import { PROMETHEUS_RULE_FILE, renderPrometheusRule } from '../../deploy-checks/prometheus-rule.js';
import { familyOf, metricNamesIn } from '../../deploy-checks/promql-names.js';
import { withTool } from './helpers.js';

const RULES = 'deploy/prometheus/rules/fedssd.rules.yml';
const RULE_TESTS = 'deploy/prometheus/tests/fedssd.rules.test.yml';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}
const groups = (parse(readFileSync(REPO_ROOT + RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups;
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined).map((r) => r.alert!);

describe('prometheus config and rules', () => {
  withTool('promtool', () => {
    it('when the compose Prometheus config is checked, then promtool accepts it and its rule files', async () => {
      const { code, output } = await runTool('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml'], REPO_ROOT);
      expect(output).toContain('SUCCESS');
      expect(code, output).toBe(0);
    });

    it('when the rules are checked, then promtool parses every expression', async () => {
      const { code, output } = await runTool('promtool', ['check', 'rules', RULES], REPO_ROOT);
      expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(code, output).toBe(0);
    });

    it('when the alert unit tests run, then promtool reports them all passing', async () => {
      const { code, output } = await runTool('promtool', ['test', 'rules', RULE_TESTS], REPO_ROOT);
      expect(output).toContain('SUCCESS');
      expect(code, output).toBe(0);
    });
  });

  it('when the rule tests are read, then every alert has a case where it fires and one where it stays quiet', () => {
    const tests = (
      parse(readFileSync(REPO_ROOT + RULE_TESTS, 'utf8')) as {
        tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
      }
    ).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'FedssdRoundStalled',
        'FedssdUpdateRejectionsHigh',
        'FedssdJobBacklogGrowing',
        'FedssdEffectiveRankCollapse',
        'FedssdUniformityCollapse',
        'FedssdServiceDown',
      ]),
    );
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert} never fires in a test`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert} has no quiet case`,
      ).toBe(true);
    }
  });

  it('when the rules are scanned, then every metric they read is exported by a service, an exporter or a recording rule', async () => {
    const known = await loadKnownMetrics();
    const unknown = rules.flatMap((r) =>
      metricNamesIn(r.expr)
        .map((n) => familyOf(n, known.histograms))
        .filter((n) => !known.has(n))
        .map((n) => `${r.alert ?? r.record}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('when the Kubernetes PrometheusRule is compared, then it carries exactly the compose rules', () => {
    expect(
      readFileSync(PROMETHEUS_RULE_FILE, 'utf8'),
      'k8s/base/prometheus-rule.yaml is stale: run npx tsx tools/deploy-checks/prometheus-rule.ts',
    ).toBe(renderPrometheusRule());
  });

  it('when the scrape config is read, then every fedssd service and exporter has a job the rules expect', () => {
    const config = parse(readFileSync(`${REPO_ROOT}deploy/prometheus/prometheus.yml`, 'utf8')) as {
      scrape_configs: Array<{ job_name: string }>;
    };
    const jobs = config.scrape_configs.map((s) => s.job_name);
    expect(jobs).toEqual(
      expect.arrayContaining(['fedssd-api', 'fedssd-aggregator', 'fedssd-trainer', 'rabbitmq', 'rabbitmq-queues', 'redis']),
    );
  });
});
