import { createInMemoryTransport } from '../src/index.js';
import { describeTransportConformance } from './conformance.js';
import { text } from './helpers.js';

describeTransportConformance('in-memory fakes', async () => {
  const t = createInMemoryTransport();
  return {
    ...t,
    publishRaw: async (channel, bytes) => t.broker.publishRaw(channel, bytes),
    drainDeadLetters: async () => t.broker.deadLetters.splice(0).map(text),
    close: async () => {},
  };
});
