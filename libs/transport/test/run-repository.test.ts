import { createInMemoryTransport, createRunRepository } from '../src/index.js';
import { describeRunRepositoryConformance } from './run-repository-conformance.js';

describeRunRepositoryConformance('in-memory fakes', async () => {
  const { state, blobs } = createInMemoryTransport();
  return { repo: createRunRepository(state, blobs), close: async () => {} };
});
