/**
 * The Kubernetes PrometheusRule carrying deploy/prometheus/rules/fedssd.rules.yml, so compose and
 * the cluster alert on the same rules. Regenerate after editing the rules:
 *   npx tsx tools/deploy-checks/prometheus-rule.ts
 * tools/test/deploy/prometheus.test.ts fails when k8s/base/prometheus-rule.yaml drifts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const RULES_FILE = new URL('../../deploy/prometheus/rules/fedssd.rules.yml', import.meta.url);
export const PROMETHEUS_RULE_FILE = new URL('../../k8s/base/prometheus-rule.yaml', import.meta.url);

/** The rule groups of the Prometheus rules file, as parsed YAML. */
export function ruleGroups(): unknown[] {
  return (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: unknown[] }).groups;
}

/** The PrometheusRule manifest text for the current rules file. */
export function renderPrometheusRule(): string {
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'fedssd', labels: { release: 'kube-prometheus-stack' } },
    spec: { groups: ruleGroups() },
  };
  const header = '# Generated from deploy/prometheus/rules/fedssd.rules.yml by tools/deploy-checks/prometheus-rule.ts; do not edit.\n';
  return header + stringify(manifest, { lineWidth: 0 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(PROMETHEUS_RULE_FILE, renderPrometheusRule());
  console.log('wrote k8s/base/prometheus-rule.yaml');
}
