import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The fault suite has its own config so `npm run test:faults` runs only tests/faults, with the
// same source-condition resolution as the root config (no build needed).
const conditions = ['source', 'node', 'import', 'default'];

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: ['tests/faults/**/*.test.ts'],
    reporters: ['default', './tools/summary-reporter.ts'],
    // Service processes already use both cores: one test file at a time keeps timings honest.
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
