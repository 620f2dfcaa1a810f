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
    // Held out of the default run until fixed (FEDSSD_FAILOVER=1 runs it): its rolled-back-state case
    // fails intermittently — a late update.ready dead-lettered during the refusal changes the final
    // model (docs/RELIABILITY.md, "Known failing").
    exclude: process.env.FEDSSD_FAILOVER === '1' ? [] : ['tests/faults/redis-failover.int.test.ts'],
    reporters: ['default', './tools/summary-reporter.ts'],
    // Service processes already use both cores: one test file at a time keeps timings honest.
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
