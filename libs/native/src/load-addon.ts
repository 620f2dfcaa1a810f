/** Loading a node-gyp output of this package once per process, without ever throwing. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Result of trying to load an addon: the module, or why it is unavailable. */
export type Load<T> = { ok: true; addon: T; path: string } | { ok: false; reason: string };

/** Absolute path where node-gyp leaves `file` (src/ and dist/ both sit one level below the package root). */
export function builtAddonPath(file: string): string {
  return fileURLToPath(new URL(`../build/Release/${file}`, import.meta.url));
}

/**
 * A loader for the addon at `path` that tries once and remembers the result. `label` starts the
 * reasons ("<label> not built (...)", "<label> failed to load: ...").
 */
export function createAddonLoader<T>(path: string, label: string): () => Load<T> {
  let cached: Load<T> | undefined;
  return () => {
    if (cached) return cached;
    if (!existsSync(path)) {
      cached = { ok: false, reason: `${label} not built (${path} missing; run npm run build:native)` };
      return cached;
    }
    try {
      cached = { ok: true, addon: createRequire(import.meta.url)(path) as T, path };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      cached = { ok: false, reason: `${label} failed to load: ${text.split('\n')[0] ?? text}` };
    }
    return cached;
  };
}
