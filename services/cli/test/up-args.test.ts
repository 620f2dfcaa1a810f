import { TRAINING_NODE_FLAGS } from '@fedssd/tensor';
import { describe, expect, it } from 'vitest';
import { serviceArgs } from '../src/up-command.js';

describe('fedssd up: service command lines', () => {
  it('when the trainer and the aggregator are started, then node gets the training flags before the entry point; the api does not', () => {
    for (const service of ['trainer', 'aggregator']) {
      const args = serviceArgs(service);
      expect(args.slice(0, TRAINING_NODE_FLAGS.length), service).toEqual([...TRAINING_NODE_FLAGS]);
      expect(args.at(-1), service).toMatch(new RegExp(`services/${service}/(dist/main\\.js|src/main\\.ts)$`));
    }
    const api = serviceArgs('api');
    for (const flag of TRAINING_NODE_FLAGS) expect(api).not.toContain(flag);
    expect(api.at(-1)).toMatch(/services\/api\/(dist\/main\.js|src\/main\.ts)$/);
  });
});
