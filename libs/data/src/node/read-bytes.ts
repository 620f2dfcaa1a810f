import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';

/** Reads a file and gunzips it when it starts with the gzip magic bytes 1f 8b (extension is not trusted). */
export async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (cause) {
      throw new DataError('CORRUPT_FILE', `corrupt gzip file ${path}: ${(cause as Error).message}`, { cause });
    }
  }
  return raw;
}

/** The first of `names` that exists in one of `dirs` (dirs in order, then names in order), or undefined. */
export async function findFirst(dirs: readonly string[], names: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    for (const name of names) {
      const path = join(dir, name);
      try {
        await access(path);
        return path;
      } catch {
        // Not there: try the next candidate.
      }
    }
  }
  return undefined;
}
