import type { Tensor2D } from '@tensorflow/tfjs-core';

/**
 * One client's DSR target (docs/METHOD.md §4): the shared orthogonal basis, the client's slice of
 * coordinates in that basis, and the scale applied to them.
 */
export interface DsrTarget {
  /** d x d orthogonal matrix Q shared by all clients (columns are the basis directions). */
  basis: Tensor2D;
  /** Distinct coordinate indices in [0, d) owned by this client (S_k). */
  slice: number[];
  /** Scale w applied to the slice's coordinates (paper default 10); must be finite and > 0. */
  scale: number;
}

/**
 * `'code'` (default): P = Z Q D_k Q^T, stop-gradient, row-normalise, ||Z - P||_F / N.
 * `'paper'`: Q = I, no renormalisation, mean_i ||z_i - stopgrad(z_i * d_k)||^2.
 */
export type DsrForm = 'code' | 'paper';

/** What DSR acts on: `'z'` the normalised projector output (the method), `'h'` the normalised encoder output (a diagnostic). */
export type DsrOn = 'z' | 'h';
