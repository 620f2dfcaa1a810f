/**
 * The committed archive of finished study runs: docs/results/research/<scale folder>/<run id>.json.
 * reports/study/ is a working folder that does not survive a fresh clone; copying each finished
 * report into the archive (which is committed) and restoring it before a study starts lets the
 * full-scale matrix advance across machines and sittings instead of restarting from zero.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export const ARCHIVE_BASE = join('docs', 'results', 'research');

/** Archive folder of one working folder (same folder name: `pilot`, `full`, `full-small`...). */
export function archiveOf(root: string, base = ARCHIVE_BASE): string {
  return join(base, basename(root));
}

/** Copies archived reports of `ids` that the working folder lacks into it; returns the ids restored. */
export function restoreArchived(root: string, ids: readonly string[], base = ARCHIVE_BASE): string[] {
  const restored: string[] = [];
  for (const id of ids) {
    const archived = join(archiveOf(root, base), `${id}.json`);
    const report = join(root, id, 'report.json');
    if (!existsSync(archived) || existsSync(report)) continue;
    mkdirSync(join(root, id), { recursive: true });
    copyFileSync(archived, report);
    restored.push(id);
  }
  return restored;
}

/** Copies files (a run's report.json under its run id, or summary files under their own name) into the archive. */
export function archive(root: string, files: ReadonlyArray<{ from: string; as: string }>, base = ARCHIVE_BASE): void {
  mkdirSync(archiveOf(root, base), { recursive: true });
  for (const f of files) copyFileSync(f.from, join(archiveOf(root, base), f.as));
}
