import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archive, archiveOf, restoreArchived } from '../src/study-archive.js';

describe('study archive', () => {
  it('when a run is archived, then a fresh working folder restores it and keeps what it already has', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'study-archive-'));
    const base = join(tmp, 'docs');
    const root = join(tmp, 'reports', 'full');
    mkdirSync(join(root, 'a'), { recursive: true });
    writeFileSync(join(root, 'a', 'report.json'), '{"run":"a"}');
    archive(root, [{ from: join(root, 'a', 'report.json'), as: 'a.json' }], base);
    expect(archiveOf(root, base)).toBe(join(base, 'full'));
    expect(readFileSync(join(base, 'full', 'a.json'), 'utf8')).toBe('{"run":"a"}');

    // A fresh clone: the working folder is gone, the archive is not.
    const fresh = join(tmp, 'clone', 'reports', 'full');
    expect(restoreArchived(fresh, ['a', 'b'], base)).toEqual(['a']);
    expect(readFileSync(join(fresh, 'a', 'report.json'), 'utf8')).toBe('{"run":"a"}');
    expect(existsSync(join(fresh, 'b'))).toBe(false);

    // A report already in the working folder wins over the archive.
    writeFileSync(join(fresh, 'a', 'report.json'), '{"run":"newer"}');
    expect(restoreArchived(fresh, ['a'], base)).toEqual([]);
    expect(readFileSync(join(fresh, 'a', 'report.json'), 'utf8')).toBe('{"run":"newer"}');
  });
});
