import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulationReport } from '@fedssd/runtime';
import { renderPanelsSvg, type ChartPoint } from './chart-svg.js';
import { UserError } from './user-error.js';

const METHODS = ['baseline', 'dsr', 'pd', 'ssd'] as const;
type Pick = (r: SimulationReport) => number | null | undefined;
const METRICS: Array<[string, Pick, number]> = [
  ['kNN acc. (%)', (r) => r.final.knnAccuracy * 100, 2],
  ['linear probe (%)', (r) => (r.final.linearProbeAccuracy === null ? null : r.final.linearProbeAccuracy * 100), 2],
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

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

/** Markdown tables: mean ± sample standard deviation per method over seeds, then one row per report. */
export function compareTables(reports: SimulationReport[]): string {
  const header = ['method', 'seeds', ...METRICS.map(([name]) => name)];
  const summary = METHODS.filter((m) => reports.some((r) => r.config.method === m)).map((method) => {
    const mine = reports.filter((r) => r.config.method === method);
    return row([
      method,
      String(mine.length),
      ...METRICS.map(([, pick, digits]) => {
        const values = mine.map(pick).filter(finite);
        if (values.length === 0) return '–';
        const { mean, std } = meanStd(values);
        return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
      }),
    ]);
  });
  const perRun = [...reports]
    .sort((a, b) => a.config.seed - b.config.seed || METHODS.indexOf(a.config.method) - METHODS.indexOf(b.config.method))
    .map((r) =>
      row([
        r.config.method,
        String(r.config.seed),
        ...METRICS.map(([, pick, digits]) => {
          const v = pick(r);
          return finite(v) ? v.toFixed(digits) : '–';
        }),
        (r.durationMs / 60000).toFixed(1),
      ]),
    );
  const runHeader = ['method', 'seed', ...METRICS.map(([name]) => name), 'minutes'];
  return [row(header), row(header.map(() => '---')), ...summary, '', row(runHeader), row(runHeader.map(() => '---')), ...perRun].join('\n');
}

/** Per-round means over seeds, one line per method, one panel per metric. */
export function compareChart(reports: SimulationReport[]): string {
  const perRound = (pick: (r: SimulationReport['rounds'][number]) => number | null) =>
    METHODS.filter((m) => reports.some((r) => r.config.method === m)).map((method) => {
      const mine = reports.filter((r) => r.config.method === method);
      const rounds = Math.max(...mine.map((r) => r.rounds.length));
      const points: ChartPoint[] = Array.from({ length: rounds }, (_, i) => {
        const values = mine
          .map((r) => r.rounds[i])
          .map((x) => (x ? pick(x) : null))
          .filter(finite);
        return { round: i + 1, value: values.length ? meanStd(values).mean : null };
      });
      return { label: method, points };
    });
  const first = reports[0] as SimulationReport;
  return renderPanelsSvg(
    `fedssd compare: ${first.config.dataset}, K=${first.config.clients}, alpha=${first.config.alpha} (mean over seeds)`,
    [
      { title: 'kNN accuracy', lines: perRound((r) => r.knnAccuracy) },
      { title: 'uniformity (-U)', lines: perRound((r) => r.uniformity) },
      { title: 'effective rank', lines: perRound((r) => r.effectiveRank) },
      { title: 'inter-client uniformity', lines: perRound((r) => r.interClientUniformity) },
      { title: 'local loss (total)', lines: perRound((r) => r.loss.total) },
      { title: 'DSR term', lines: perRound((r) => r.loss.dsr) },
    ],
  );
}

/** `fedssd compare DIR [--chart FILE]`: summarise the simulate reports in DIR. */
export function compareCommand(argv: string[]): void {
  const [dir, ...rest] = argv;
  if (!dir || dir.startsWith('-'))
    throw new UserError('usage: fedssd compare DIR [--chart FILE.svg]   (DIR holds simulate reports, *.json)');
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new UserError(`compare: cannot read ${dir}: ${(error as Error).message}`);
  }
  const reports = files.map((f) => {
    try {
      const report = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SimulationReport;
      if (!report.config || !Array.isArray(report.rounds) || !report.final) throw new Error('not a simulate report');
      return report;
    } catch (error) {
      throw new UserError(`compare: ${join(dir, f)}: ${(error as Error).message}`);
    }
  });
  if (reports.length === 0) throw new UserError(`compare: no *.json reports in ${dir}`);
  process.stdout.write(`${compareTables(reports)}\n`);
  const chartAt = rest.indexOf('--chart');
  if (chartAt >= 0) {
    const path = rest[chartAt + 1];
    if (!path) throw new UserError('compare: --chart needs a file name');
    writeFileSync(path, compareChart(reports));
    process.stderr.write(`chart: ${path}\n`);
  }
}
