/**
 * `npm run results:study -- [--scale full|pilot] [--model small-signed] [--only ID,ID] [--report]`
 *
 * Runs the research matrix (bench/src/study-matrix.ts) one `fedssd simulate` process at a time
 * under reports/study/<scale>/<run id>/. Each run saves a checkpoint after every round, so a
 * finished run (report.json present) is skipped and a partial one resumes where it stopped:
 * the study can span several sittings and be interrupted at any point. A finished run's report is
 * also copied to docs/results/research/<scale>/<run id>.json (the archive, which is committed), and
 * an archived run counts as finished on a fresh clone, so the matrix advances across machines, not
 * only across sittings on one machine. `--report` (or the end of
 * the matrix) writes reports/study/<scale>/summary.md and curves.png (bench/src/study-report.ts).
 * Local files only: no credentials, no network.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { MATRIX, SCALES, simulateFlags, type Scale } from './study-matrix.js';
import { archive, archiveOf, restoreArchived } from './study-archive.js';
import { writeStudyReport } from './study-report.js';
import { TRAINING_NODE_FLAGS } from '@fedssd/tensor';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function say(message: string): void {
  process.stdout.write(`[study ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function roundsDone(checkpointDir: string): number | null {
  const meta = join(checkpointDir, 'checkpoint.json');
  if (!existsSync(meta)) return null;
  try {
    return (JSON.parse(readFileSync(meta, 'utf8')) as { roundsDone: number }).roundsDone;
  } catch {
    return null; // being rewritten right now
  }
}

function simulate(args: string[], logFile: string, checkpointDir: string, total: number, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TRAINING_NODE_FLAGS, 'services/cli/bin/fedssd.js', 'simulate', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = (chunk: Buffer): void => appendFileSync(logFile, chunk);
    child.stdout.on('data', log);
    child.stderr.on('data', log);
    let last = roundsDone(checkpointDir) ?? 0;
    const timer = setInterval(() => {
      const done = roundsDone(checkpointDir);
      if (done !== null && done !== last) {
        last = done;
        say(`${id}: round ${done}/${total} saved`);
      }
    }, 15_000);
    // Stopping the study stops the run; its last checkpoint stays and the next sitting resumes it.
    const stop = (): void => void child.kill('SIGINT');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (code === 0) resolve();
      else reject(new Error(`${id}: fedssd simulate exited with ${code ?? signal}; see ${logFile}`));
    });
  });
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: { scale: { type: 'string' }, model: { type: 'string' }, only: { type: 'string' }, report: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  const scaleName = String(values.scale ?? 'full');
  if (scaleName !== 'full' && scaleName !== 'pilot') fail(`--scale: must be full or pilot (got ${scaleName})`);
  const scale: Scale = SCALES[scaleName];
  const model = String(values.model ?? 'small-signed');
  if (!['small', 'small-signed'].includes(model)) fail(`--model: must be small or small-signed (got ${model})`);
  const root = join('reports', 'study', model === 'small-signed' ? scale.name : `${scale.name}-${model}`);
  const only = typeof values.only === 'string' ? values.only.split(',') : null;
  const unknown = (only ?? []).filter((id) => !MATRIX.some((r) => r.id === id));
  if (unknown.length > 0) fail(`--only: unknown run id(s) ${unknown.join(', ')}; known: ${MATRIX.map((r) => r.id).join(', ')}`);
  if (values.report !== true) {
    // Say it before the first run, not in a run's log after it failed.
    if (!existsSync('services/cli/dist/main.js'))
      fail('the CLI is not built: run `npm run build` (and `npm run build:native` for the native kernels) first');
    const runs = MATRIX.filter((r) => only === null || only.includes(r.id));
    const restored = restoreArchived(
      root,
      MATRIX.map((r) => r.id),
    );
    if (restored.length > 0) say(`${restored.length} finished run(s) restored from ${archiveOf(root)}: ${restored.join(', ')}`);
    say(`${scale.name} scale (${scale.trainImages} images, ${scale.rounds} rounds), model ${model}, ${runs.length} runs in ${root}`);
    for (const [i, r] of runs.entries()) {
      const dir = join(root, r.id);
      const tag = `${i + 1}/${runs.length} ${r.id}`;
      if (r.unsupported) {
        say(`${tag}: pending (${r.unsupported})`);
        continue;
      }
      if (existsSync(join(dir, 'report.json'))) {
        say(`${tag}: done, skipped`);
        continue;
      }
      mkdirSync(dir, { recursive: true });
      const checkpoint = join(dir, 'checkpoint');
      const done = roundsDone(checkpoint);
      say(done === null ? `${tag}: starting` : `${tag}: resuming after round ${done}/${scale.rounds}`);
      const args = [
        ...simulateFlags(r, scale, model),
        ...['--quiet', '--out', join(dir, 'report.json'), '--save-model', join(dir, 'model.json'), '--checkpoint', checkpoint],
        ...(done === null ? [] : ['--resume']),
      ];
      const started = Date.now();
      await simulate(args, join(dir, 'simulate.log'), checkpoint, scale.rounds, r.id);
      archive(root, [{ from: join(dir, 'report.json'), as: `${r.id}.json` }]);
      appendFileSync(join(dir, 'sittings.log'), `${new Date().toISOString()} ${((Date.now() - started) / 60000).toFixed(2)} min\n`);
      say(`${tag}: finished in ${((Date.now() - started) / 60000).toFixed(1)} min (this sitting)`);
    }
  }
  restoreArchived(
    root,
    MATRIX.map((r) => r.id),
  );
  const written = await writeStudyReport(root, scale, model);
  archive(
    root,
    written.map((file) => ({ from: file, as: basename(file) })),
  );
  say(`report: ${written.join(', ')} (copied to ${archiveOf(root)})`);
}

main().catch((error: unknown) => fail(`results:study: ${(error as Error).message}`));
