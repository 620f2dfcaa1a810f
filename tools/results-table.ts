/**
 * Summarises simulate reports (one per method and seed) as the Markdown tables of docs/RESULTS.md:
 * mean ± sample standard deviation over seeds of every final metric.
 * Usage: node --conditions=source --import tsx tools/results-table.ts reports/results
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulationReport } from '@fedssd/engine';

const METHODS = ['baseline', 'dsr', 'pd', 'ssd'] as const;
const METRICS: Array<[string, (r: SimulationReport) => number | null | undefined, number]> = [
  ['kNN acc. (%)', (r) => r.final.knnAccuracy * 100, 2],
  ['linear probe (%)', (r) => (r.final.linearProbeAccuracy ?? NaN) * 100, 2],
  ['uniformity', (r) => r.final.uniformity, 3],
  ['effective rank', (r) => r.final.effectiveRank, 2],
  ['inter-client unif.', (r) => r.final.interClientUniformity, 3],
  ['own-slice energy', (r) => r.final.subspaceEnergy?.meanOwn, 3],
  ['own/other ratio', (r) => r.final.subspaceEnergy?.ratio, 2],
];

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

const dir = process.argv[2] ?? 'reports/results';
const reports = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SimulationReport);
if (reports.length === 0) {
  process.stderr.write(`no reports in ${dir}; run scripts/results.sh first\n`);
  process.exit(2);
}
const header = ['method', 'seeds', ...METRICS.map(([name]) => name)];
const rows = METHODS.map((method) => {
  const mine = reports.filter((r) => r.config.method === method);
  const cells = METRICS.map(([, pick, digits]) => {
    const values = mine.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) return '–';
    const { mean, std } = meanStd(values);
    return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
  });
  return [method, String(mine.length), ...cells];
});
const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
process.stdout.write([line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n');

const perSeed = reports
  .sort((a, b) => a.config.seed - b.config.seed || METHODS.indexOf(a.config.method) - METHODS.indexOf(b.config.method))
  .map((r) => line([r.config.method, String(r.config.seed), ...METRICS.map(([, pick, digits]) => {
    const v = pick(r);
    return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
  }), (r.durationMs / 60000).toFixed(1)]));
process.stdout.write(`\n${line(['method', 'seed', ...METRICS.map(([n]) => n), 'minutes'])}\n${line([...header, 'x'].map(() => '---'))}\n${perSeed.join('\n')}\n`);
