import { sampleClients } from '@fedssd/fedavg';
import type { RunConfig } from '@fedssd/protocol';
import { deriveSeed } from '../seeds.js';

/** The clients of a round: a seeded draw of `participation` x K clients (ascending ids), the same in every process. */
export function selectClients(config: Pick<RunConfig, 'clients' | 'participation' | 'seed'>, round: number): number[] {
  return sampleClients({ clients: config.clients, participation: config.participation, round, seed: deriveSeed(config.seed, 'sample') });
}
