/**
 * The study's report: reads every finished run under reports/study/<scale>/ and writes summary.md
 * (every run, mean ± std, paired ssd − baseline per seed with a 95% CI, mechanism check, compute)
 * and curves.png (per-round curves, drawn by bench/reference/plot_curves.py with matplotlib).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ci95, mean, std } from './stats.js';
import { MATRIX, type Scale, type StudyRun } from './study-matrix.js';

interface RunReport {
  rounds: Array<{
    round: number;
    samplesPerSecond: number;
    samples: number;
    knnAccuracy: number | null;
    uniformity: number | null;
    effectiveRank: number | null;
    interClientUniformity: number | null;
    loss: Record<string, number>;
  }>;
  final: {
    knnAccuracy: number;
    linearProbeAccuracy: number | null;
    uniformity: number;
    effectiveRank: number;
    interClientUniformity: number | null;
    subspaceEnergy: { meanOwn: number; ratio: number } | null;
  };
  durationMs: number;
}

type Key = 'knn' | 'probe' | 'unif' | 'erank' | 'inter' | 'own' | 'ratio';
const COLUMNS: Array<{ key: Key; title: string; digits: number }> = [
  { key: 'knn', title: 'kNN (%)', digits: 2 },
  { key: 'probe', title: 'probe (%)', digits: 2 },
  { key: 'unif', title: 'uniformity', digits: 3 },
  { key: 'erank', title: 'effective rank', digits: 2 },
  { key: 'inter', title: 'inter-client unif.', digits: 3 },
  { key: 'own', title: 'own-slice energy', digits: 3 },
  { key: 'ratio', title: 'own/other', digits: 2 },
];

function values(r: RunReport): Record<Key, number> {
  const f = r.final;
  return {
    knn: f.knnAccuracy * 100,
    probe: f.linearProbeAccuracy === null ? NaN : f.linearProbeAccuracy * 100,
    unif: f.uniformity,
    erank: f.effectiveRank,
    inter: f.interClientUniformity ?? NaN,
    own: f.subspaceEnergy?.meanOwn ?? NaN,
    ratio: f.subspaceEnergy?.ratio ?? NaN,
  };
}

function fmt(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '-';
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${' --- |'.repeat(head.length)}`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Writes summary.md and curves.png under `root`; returns the paths written. */
export async function writeStudyReport(root: string, scale: Scale, model: string): Promise<string[]> {
  const done = new Map<string, { run: StudyRun; report: RunReport }>();
  for (const run of MATRIX) {
    const path = join(root, run.id, 'report.json');
    if (existsSync(path)) done.set(run.id, { run, report: JSON.parse(readFileSync(path, 'utf8')) as RunReport });
  }
  const partial = MATRIX.filter((r) => !done.has(r.id) && !r.unsupported && existsSync(join(root, r.id, 'checkpoint', 'checkpoint.json')));
  const out: string[] = [];
  out.push(`# Study at ${scale.name} scale: ${scale.trainImages} images, ${scale.rounds} rounds x 1 local epoch, model ${model}`);
  out.push('');
  out.push(
    'Fashion-MNIST, K = 10, batch 64, SGD lr 0.1 (momentum 0.9, wd 1e-4), 2,000 test images, probe 50 epochs. ' +
      `Finished ${done.size} of ${MATRIX.length} runs` +
      (partial.length > 0 ? `; partial (resumable): ${partial.map((r) => r.id).join(', ')}` : '') +
      '. Pending: ' +
      (MATRIX.filter((r) => !done.has(r.id))
        .map((r) => r.id + (r.unsupported ? ` (${r.unsupported})` : ''))
        .join(', ') || 'none') +
      '.',
  );
  out.push('', '## Every finished run', '');
  const every = [...done.values()].map(({ run, report }) => {
    const v = values(report);
    const sps = mean(report.rounds.map((r) => r.samplesPerSecond));
    return [
      run.id,
      run.method,
      String(run.seed),
      String(run.alpha),
      run.dsrOn === 'h' ? `${run.dsrForm}, on h` : run.dsrForm,
      ...COLUMNS.map((c) => fmt(v[c.key], c.digits)),
      (report.durationMs / 60000).toFixed(1),
      sps.toFixed(0),
    ];
  });
  out.push(table(['run', 'method', 'seed', 'alpha', 'DSR form', ...COLUMNS.map((c) => c.title), 'minutes', 'samples/s'], every));

  // Mean ± std over seeds at alpha 0.1, code form on z (the projector-free diagnostic is a variant, not a seed).
  const groups = ['baseline', 'dsr', 'pd', 'ssd'].map((method) => ({
    method,
    runs: [...done.values()].filter(
      (d) => d.run.method === method && d.run.alpha === 0.1 && d.run.dsrForm === 'code' && d.run.dsrOn !== 'h',
    ),
  }));
  out.push('', '## Mean ± std over seeds (alpha 0.1, code-form DSR)', '');
  out.push(
    table(
      ['method', 'seeds', ...COLUMNS.map((c) => c.title)],
      groups
        .filter((g) => g.runs.length > 0)
        .map((g) => [
          g.method,
          g.runs.map((d) => d.run.seed).join(','),
          ...COLUMNS.map((c) => {
            const xs = g.runs.map((d) => values(d.report)[c.key]);
            return xs.length > 1 && Number.isFinite(std(xs))
              ? `${fmt(mean(xs), c.digits)} ± ${fmt(std(xs), c.digits)}`
              : fmt(mean(xs), c.digits);
          }),
        ]),
    ),
  );

  // Paired ssd − baseline per seed: the one table a reader needs.
  const pairs = [1, 2, 3, 4, 5]
    .map((seed) => ({
      seed,
      b: done.get(`baseline-a0.1-seed${seed}`)?.report,
      s: done.get(`ssd-a0.1-seed${seed}`)?.report,
    }))
    .filter((p) => p.b && p.s) as Array<{ seed: number; b: RunReport; s: RunReport }>;
  out.push('', '## Does SSD beat the baseline? Paired ssd − baseline per seed (alpha 0.1)', '');
  const keyRows: Array<{ key: Key; title: string; digits: number }> = COLUMNS.filter((c) => c.key !== 'own');
  out.push(
    table(
      ['metric', ...pairs.map((p) => `seed ${p.seed}`), 'mean diff', '95% CI', 'baseline seed std', 'verdict'],
      keyRows.map((c) => {
        const diffs = pairs.map((p) => values(p.s)[c.key] - values(p.b)[c.key]);
        const [lo, hi] = ci95(diffs);
        const noise = std(pairs.map((p) => values(p.b)[c.key]));
        const verdict =
          diffs.length < 2
            ? 'too few seeds'
            : !Number.isFinite(lo)
              ? '-'
              : lo > 0
                ? 'ssd higher (CI above 0)'
                : hi < 0
                  ? 'ssd lower (CI below 0)'
                  : 'no difference resolved (CI spans 0)';
        return [
          c.title,
          ...diffs.map((d) => fmt(d, c.digits)),
          fmt(mean(diffs), c.digits),
          `[${fmt(lo, c.digits)}, ${fmt(hi, c.digits)}]`,
          fmt(noise, c.digits),
          verdict,
        ];
      }),
    ),
  );
  out.push('', '95% CI: Student t over the per-seed paired differences (n − 1 degrees of freedom).');

  // Compute spent.
  const minutes = [...done.values()].reduce((s, d) => s + d.report.durationMs / 60000, 0);
  const samples = [...done.values()].reduce((s, d) => s + d.report.rounds.reduce((a, r) => a + r.samples, 0), 0);
  out.push(
    '',
    '## Compute',
    '',
    `${done.size} finished runs, ${minutes.toFixed(1)} minutes of simulate wall time, ${(samples / 1e6).toFixed(2)} M training samples ` +
      `(two views each), ${(samples / Math.max(1, minutes * 60)).toFixed(0)} samples/s overall including evaluation.`,
  );
  const summaryPath = join(root, 'summary.md');
  writeFileSync(summaryPath, `${out.join('\n')}\n`);

  // Curves: per-round metrics of every finished run, drawn by matplotlib if present.
  const curves = [...done.values()].map(({ run, report }) => ({
    id: run.id,
    method: run.method,
    alpha: run.alpha,
    form: run.dsrForm,
    rounds: report.rounds.map((r) => ({
      round: r.round,
      knn: r.knnAccuracy,
      unif: r.uniformity,
      erank: r.effectiveRank,
      inter: r.interClientUniformity,
      loss: r.loss.total,
    })),
  }));
  const curvesJson = join(root, 'curves.json');
  writeFileSync(curvesJson, JSON.stringify({ title: `${scale.name} scale, ${model}`, runs: curves }));
  const png = join(root, 'curves.png');
  const plot = spawnSync('/usr/bin/python3', ['bench/reference/plot_curves.py', curvesJson, png], { encoding: 'utf8' });
  if (plot.status !== 0) {
    process.stderr.write(
      `curves.png not drawn (${(plot.stderr || '').trim().split('\n').pop() ?? ''}); apt-get install python3-matplotlib\n`,
    );
    return [summaryPath, curvesJson];
  }
  return [summaryPath, curvesJson, png];
}
