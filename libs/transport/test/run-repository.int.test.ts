import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { createRedisStores, createRunRepository } from '../src/index.js';
import { probeServices, REDIS_URL } from './real-harness.js';
import { describeRunRepositoryConformance } from './run-repository-conformance.js';

const unavailable = await probeServices();
if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`CI=true and the real services do not answer: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(`Redis${unavailable !== undefined ? ` (skipped: ${unavailable})` : ''}`, () => {
  describeRunRepositoryConformance('Redis', async () => {
    const stores = await createRedisStores({ url: REDIS_URL, keyPrefix: `test-runs-${randomUUID().slice(0, 8)}:` });
    return {
      repo: createRunRepository(stores.state, stores.blobs),
      close: async () => {
        await stores.deleteAll();
        await stores.close();
      },
    };
  });
});
