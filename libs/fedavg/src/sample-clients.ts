import { deriveRng } from '@fedssd/tensor';
import { FedAvgError, requireInt } from './errors.js';

/** Options of {@link sampleClients}. */
export interface SampleClientsOptions {
  /** Total clients K (integer ≥ 1); ids are 0..K-1. */
  clients: number;
  /** Fraction in (0, 1] taking part each round (paper cross-device: 0.2). */
  participation: number;
  /** Round number (integer ≥ 0). */
  round: number;
  seed: number;
}

/**
 * The clients taking part in a round: max(1, round(K·p)) distinct ids drawn uniformly without
 * replacement, sorted ascending. A pure function of (seed, round), so a restarted aggregator
 * picks the same clients.
 */
export function sampleClients(options: SampleClientsOptions): number[] {
  const { clients, participation, round, seed } = options;
  requireInt('clients', clients, 1);
  requireInt('round', round, 0);
  if (!(participation > 0 && participation <= 1)) {
    throw new FedAvgError('INVALID_OPTION', `participation must be in (0, 1] (got ${participation})`);
  }
  const take = Math.max(1, Math.round(clients * participation));
  const ids = Array.from({ length: clients }, (_, i) => i);
  const rng = deriveRng(seed, 'sample-clients', round);
  // Partial Fisher-Yates: the first `take` slots end up a uniform sample without replacement.
  for (let i = 0; i < take; i += 1) {
    const j = i + rng.int(clients - i);
    const tmp = ids[i] as number;
    ids[i] = ids[j] as number;
    ids[j] = tmp;
  }
  return ids.slice(0, take).sort((a, b) => a - b);
}
