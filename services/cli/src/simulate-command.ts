import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { initBackend } from '@fedssd/tensor';
import { loadDataset } from '@fedssd/data/node';
import { readCheckpointMeta, simulateRun, type SimulationReport } from '@fedssd/runtime';
import { renderChartSvg } from './chart-svg.js';
import { createProgressBar, type ProgressBar } from './progress.js';
import { parseSimulateArgs } from './simulate-args.js';
import { UserError } from './user-error.js';
import { num, renderTable } from './table.js';

/** Per-round table plus the final metrics, as printed at the end of a run. */
export function renderReportTables(report: SimulationReport): string {
  const rounds = renderTable(
    ['round', 'loss', 'align', 'unif', 'dsr', 'pd', 'knn acc', 'uniformity', 'eff. rank', 'inter-client', 'samples/s', 'sec'],
    report.rounds.map((r) => [
      String(r.round),
      num(r.loss.total),
      num(r.loss.align),
      num(r.loss.uniformity),
      num(r.loss.dsr),
      num(r.loss.pd),
      num(r.knnAccuracy),
      num(r.uniformity),
      num(r.effectiveRank, 1),
      num(r.interClientUniformity),
      num(r.samplesPerSecond, 1),
      num(r.durationMs / 1000, 1),
    ]),
  );
  const f = report.final;
  const energy = f.subspaceEnergy;
  const final = renderTable(
    ['final metric', 'value'],
    [
      ['kNN accuracy', num(f.knnAccuracy)],
      ['linear-probe accuracy', num(f.linearProbeAccuracy)],
      ['uniformity (-U, higher = more uniform)', num(f.uniformity)],
      ['effective rank', num(f.effectiveRank, 2)],
      ['inter-client uniformity', num(f.interClientUniformity)],
      ['own-slice energy share (mean)', num(energy?.meanOwn)],
      ['own / other-slice energy ratio', num(energy?.ratio)],
    ],
  );
  return `${rounds}\n\n${final}`;
}

/** The per-round chart of a report. */
export function reportChart(report: SimulationReport): string {
  const series = (title: string, pick: (r: SimulationReport['rounds'][number]) => number | null) => ({
    title,
    points: report.rounds.map((r) => ({ round: r.round, value: pick(r) })),
  });
  const c = report.config;
  return renderChartSvg(`fedssd simulate: ${c.method} on ${c.dataset}, K=${c.clients}, alpha=${c.alpha}, seed ${c.seed}`, [
    series('kNN accuracy', (r) => r.knnAccuracy),
    series('uniformity (-U)', (r) => r.uniformity),
    series('effective rank', (r) => r.effectiveRank),
    series('inter-client uniformity', (r) => r.interClientUniformity),
    series('local loss (total)', (r) => r.loss.total),
    series('samples / s', (r) => r.samplesPerSecond),
  ]);
}

/** `fedssd simulate`: parse, load data, run, print, write report + chart. */
export async function simulateCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const opts = parseSimulateArgs(argv);
  const c = opts.config;
  const backend = await initBackend(opts.backend);
  const say = (text: string): void => {
    process.stderr.write(`${text}\n`);
  };
  say(`backend: ${backend.kind}${backend.notes.length ? ` (${backend.notes.join('; ')})` : ''}`);
  const train = await loadDataset({
    name: c.dataset,
    split: 'train',
    ...(c.dataDir ? { dataDir: c.dataDir } : {}),
    ...(c.trainLimit ? { limit: c.trainLimit } : {}),
    seed: c.seed,
  });
  const test = await loadDataset({
    name: c.dataset,
    split: 'test',
    ...(c.dataDir ? { dataDir: c.dataDir } : {}),
    ...(opts.testLimit ? { limit: opts.testLimit } : {}),
    seed: c.seed,
  });
  say(
    `data: ${c.dataset} ${train.count} train / ${test.count} test images, ${train.height}x${train.width}x${train.channels}; ` +
      `${c.clients} clients, Dirichlet alpha ${c.alpha}, participation ${c.participation}; method ${c.method}, model ${c.model}`,
  );
  if (opts.checkpoint !== undefined) {
    const saved = await readCheckpointMeta(opts.checkpoint);
    if (saved !== null && !opts.resume) {
      throw new UserError(
        `--checkpoint: ${opts.checkpoint} already holds a run saved after round ${saved.roundsDone}; ` +
          'add --resume to continue it, or choose another folder',
      );
    }
    if (opts.resume && saved === null) throw new UserError(`--resume: ${opts.checkpoint} holds no checkpoint to continue`);
    if (saved !== null) say(`resuming the run saved in ${opts.checkpoint} after round ${saved.roundsDone} of ${saved.config.rounds}`);
  }
  let bar: ProgressBar | undefined;
  const { report, weights } = await simulateRun(
    c,
    { train, test },
    {
      backend: backend.kind,
      probeEpochs: opts.probeEpochs,
      ...(opts.checkpoint !== undefined ? { checkpointDir: opts.checkpoint, resume: opts.resume } : {}),
    },
    {
      signal,
      onRoundStart: ({ round, totalSteps }) => {
        if (!opts.quiet) bar = createProgressBar(`round ${round}/${c.rounds}`, totalSteps);
      },
      onStep: ({ stepsDone, clientIndex, clientId, loss }) =>
        bar?.update(stepsDone, `client ${clientId} (${clientIndex + 1}) loss ${loss.toFixed(3)}`),
      onEvaluating: ({ final }) => bar?.note(final ? 'final evaluation + linear probe...' : 'evaluating...'),
      onRoundEnd: (r) => {
        bar?.finish(
          `loss ${r.loss.total.toFixed(3)}${r.knnAccuracy !== null ? ` knn ${(r.knnAccuracy * 100).toFixed(1)}%` : ''} ${(r.durationMs / 1000).toFixed(1)}s`,
        );
        bar = undefined;
      },
    },
  );
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.saveModel !== undefined) {
    // Plain JSON so the PyTorch reference (bench/reference/collapse_study.py) can load it without our codecs.
    const manifest = weights.map((w) => ({ name: w.name, shape: w.shape, values: Array.from(w.values) }));
    mkdirSync(dirname(opts.saveModel), { recursive: true });
    writeFileSync(opts.saveModel, JSON.stringify(manifest));
  }
  const chartPath = opts.out.replace(/\.json$/i, '') + '.svg';
  writeFileSync(chartPath, reportChart(report));
  process.stdout.write(
    `\n${renderReportTables(report)}\n\nreport: ${opts.out}\nchart:  ${chartPath}\ntotal:  ${(report.durationMs / 1000).toFixed(1)} s\n`,
  );
}
