import { createInMemoryTransport } from '../src/index.js';
import { CONFORMANCE_JOB_ATTEMPTS, describeTransportConformance } from './conformance.js';
import { describeOwnershipConformance } from './ownership-conformance.js';
import { text } from './helpers.js';

describeTransportConformance('in-memory fakes', async () => {
  const t = createInMemoryTransport({ jobAttempts: CONFORMANCE_JOB_ATTEMPTS });
  return {
    ...t,
    publishRaw: async (channel, bytes) => t.broker.publishRaw(channel, bytes),
    drainDeadLetters: async () => t.broker.deadLetters.splice(0).map(text),
    close: async () => {},
  };
});

describeOwnershipConformance('in-memory fakes', async () => {
  const t = createInMemoryTransport();
  return { ownership: t.ownership, state: t.state, blobs: t.blobs, close: async () => {} };
});
