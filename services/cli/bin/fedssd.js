#!/usr/bin/env -S node --single-threaded-gc
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('fedssd: not built yet. Run `npm run build` in the repository root first.\n');
  process.exit(2);
}
await import(pathToFileURL(entry).href);
