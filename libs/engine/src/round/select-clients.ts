import { sampleClients } from '@fedssd/fedavg';
import type { RunConfig } from '@fedssd/protocol';
import { deriveSeed } from '../seeds.js';

/**
 * The clients of a round: a seeded draw of `participation` of the population (ascending ids), the
 * same in every process. The population is every client (simulation), or the federated sites
 * that are live now; with none live, every site (their jobs wait in their queues).
 */
export function selectClients(
  config: Pick<RunConfig, 'clients' | 'participation' | 'seed'>,
  round: number,
  population?: readonly number[],
): number[] {
  const seed = deriveSeed(config.seed, 'sample');
  if (population === undefined || population.length === 0 || population.length === config.clients) {
    return sampleClients({ clients: config.clients, participation: config.participation, round, seed });
  }
  const sorted = [...population].sort((a, b) => a - b);
  return sampleClients({ clients: sorted.length, participation: config.participation, round, seed }).map((i) => sorted[i] as number);
}
