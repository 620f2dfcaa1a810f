import { deriveRng } from '@fedssd/tensor';
import { FedAvgError, requireInt } from './errors.js';
import { randomOrthogonal } from './orthogonal.js';

/** Per-run DSR set-up shared by every client (docs/METHOD.md §4.1); created once by the aggregator. */
export interface SsdTargets {
  /** Embedding dimension d. */
  dim: number;
  /** d×d orthogonal Q, row-major (`basis[i * dim + j]`); its columns are the basis vectors. */
  basis: Float32Array;
  /** `slices[k]`: client k's sorted coordinates (in Q's column space), disjoint across clients. */
  slices: number[][];
  /** The factor w of D_k on a client's own slice (1 elsewhere). */
  scale: number;
}

/** Options of {@link createSsdTargets}. */
export interface SsdTargetOptions {
  /** Embedding dimension d (integer ≥ 1), the projector output size. */
  dim: number;
  /** Total clients K (integer ≥ 1), not the per-round sample: slices are keyed by client id. */
  clients: number;
  /** Coordinates per client m (integer ≥ 1, K·m ≤ d). Default floor(d / K). */
  sliceSize?: number;
  /** w > 0; default 10 (the released code's value). */
  scale?: number;
  seed: number;
}

/**
 * Draws the run's DSR targets: Q from a float64 Householder QR of a seeded Gaussian matrix, and
 * a seeded permutation of 0..d-1 cut into K disjoint slices of m coordinates.
 */
export function createSsdTargets(options: SsdTargetOptions): SsdTargets {
  const { dim, clients, scale = 10, seed } = options;
  requireInt('dim', dim, 1);
  requireInt('clients', clients, 1);
  const sliceSize = options.sliceSize ?? Math.floor(dim / clients);
  if (!Number.isInteger(sliceSize) || sliceSize < 1) {
    throw new FedAvgError(
      'INVALID_OPTION',
      `sliceSize must be an integer ≥ 1 (got ${sliceSize}; default is floor(dim / clients) = floor(${dim} / ${clients}))`,
    );
  }
  if (clients * sliceSize > dim) {
    throw new FedAvgError(
      'INVALID_OPTION',
      `clients × sliceSize must be ≤ dim (${clients} × ${sliceSize} = ${clients * sliceSize} > ${dim})`,
    );
  }
  if (!(scale > 0) || !Number.isFinite(scale)) throw new FedAvgError('INVALID_OPTION', `scale must be > 0 and finite (got ${scale})`);
  const basis = Float32Array.from(randomOrthogonal(dim, deriveRng(seed, 'ssd-basis')));
  const permutation = deriveRng(seed, 'ssd-slices').shuffle(Array.from({ length: dim }, (_, i) => i));
  const slices = Array.from({ length: clients }, (_, k) => permutation.slice(k * sliceSize, (k + 1) * sliceSize).sort((a, b) => a - b));
  return { dim, basis, slices, scale };
}

/** What one client needs for its DSR loss; plain data so it can travel in a job message. */
export interface ClientSsdTarget {
  /** The shared basis Q, row-major d×d (the same array as `targets.basis`: do not mutate). */
  basisValues: Float32Array;
  dim: number;
  /** This client's coordinates S_k. */
  slice: number[];
  scale: number;
}

/** The DSR target of client `clientId` (integer in [0, K)). */
export function targetFor(targets: SsdTargets, clientId: number): ClientSsdTarget {
  const slice = targets.slices[clientId];
  if (!Number.isInteger(clientId) || slice === undefined) {
    throw new FedAvgError('INVALID_OPTION', `clientId must be an integer in [0, ${targets.slices.length}) (got ${clientId})`);
  }
  return { basisValues: targets.basis, dim: targets.dim, slice: [...slice], scale: targets.scale };
}
