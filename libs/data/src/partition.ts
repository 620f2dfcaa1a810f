import { deriveRng, type Rng } from '@fedssd/tensor';
import { DataError, requireInt } from './errors.js';

/** Indices of each client's share of a data set, and its label histogram. */
export interface Partition {
  /** `clients[k]`: sorted sample indices of client k; every index appears exactly once overall. */
  clients: number[][];
  /** `histogram[k][c]`: number of client k's samples with label c. */
  histogram: number[][];
}

/** Options of {@link partitionDirichlet}. */
export interface DirichletOptions {
  /** Number of clients K (integer ≥ 1). */
  clients: number;
  /** Concentration; small (0.1) is strong label skew, large (100) near-IID. Must be > 0 and finite. */
  alpha: number;
  seed: number;
  /** Every client must end with at least this many samples; default 2 (a batch of 1 is skipped in training). */
  minPerClient?: number;
  /** Re-draws allowed before giving up; default 100. */
  maxTries?: number;
}

function numClasses(labels: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0) throw new DataError('INVALID_OPTION', `labels[${i}] must be an integer ≥ 0 (got ${label})`);
    max = Math.max(max, label);
  }
  return max + 1;
}

function histogramOf(clients: number[][], labels: ArrayLike<number>, classes: number): number[][] {
  return clients.map((indices) => {
    const row = new Array<number>(classes).fill(0);
    for (const i of indices) row[labels[i] as number] = (row[labels[i] as number] as number) + 1;
    return row;
  });
}

/** One draw: per class, Dir(alpha·1_K) proportions cut the class's shuffled indices into K runs. */
function drawOnce(byClass: number[][], clients: number, alpha: number, rng: Rng): number[][] {
  const out: number[][] = Array.from({ length: clients }, () => []);
  for (const members of byClass) {
    const indices = rng.shuffle([...members]);
    const gammas = Array.from({ length: clients }, () => rng.gamma(alpha));
    const total = gammas.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    let start = 0;
    for (let k = 0; k < clients; k += 1) {
      cumulative += gammas[k] as number;
      // Last client takes the remainder so rounding never drops an index; a zero total (every
      // gamma underflowed) gives the whole class to the last client, which the retry handles.
      let end = start;
      if (k === clients - 1) end = indices.length;
      else if (total > 0) end = Math.round((cumulative / total) * indices.length);
      for (let i = start; i < end; i += 1) (out[k] as number[]).push(indices[i] as number);
      start = end;
    }
  }
  return out.map((indices) => indices.sort((a, b) => a - b));
}

/**
 * Label-skewed split (the federated-learning standard): for each class, client proportions are
 * drawn from Dirichlet(alpha·1_K) (normalised Gamma(alpha) draws) and that class's shuffled indices
 * are cut by the cumulative proportions. Re-draws until every client has ≥ `minPerClient` samples.
 * Pure and seeded: same labels and options, same split.
 */
export function partitionDirichlet(labels: ArrayLike<number>, options: DirichletOptions): Partition {
  const { clients, alpha, seed, minPerClient = 2, maxTries = 100 } = options;
  requireInt('clients', clients, 1);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new DataError('INVALID_OPTION', `alpha must be > 0 (got ${alpha})`);
  requireInt('minPerClient', minPerClient, 0);
  requireInt('maxTries', maxTries, 1);
  if (labels.length < clients * Math.max(1, minPerClient)) {
    throw new DataError(
      'INVALID_OPTION',
      `count must be ≥ clients × minPerClient (${labels.length} < ${clients} × ${Math.max(1, minPerClient)})`,
    );
  }
  const classes = numClasses(labels);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i += 1) (byClass[labels[i] as number] as number[]).push(i);
  const rng = deriveRng(seed, 'partition-dirichlet');
  for (let attempt = 0; attempt < maxTries; attempt += 1) {
    const split = drawOnce(byClass, clients, alpha, rng);
    if (split.every((indices) => indices.length >= minPerClient)) {
      return { clients: split, histogram: histogramOf(split, labels, classes) };
    }
  }
  throw new DataError(
    'INVALID_OPTION',
    `no Dirichlet split with ≥ ${minPerClient} samples per client after ${maxTries} tries ` +
      `(${labels.length} samples, ${clients} clients, alpha ${alpha}); use fewer clients, a larger alpha or more data`,
  );
}

/** Options of {@link partitionIid}. */
export interface IidOptions {
  /** Number of clients K (integer ≥ 1, ≤ count). */
  clients: number;
  seed: number;
  /** When given, `histogram` counts these labels; otherwise each histogram row is `[clientSize]`. */
  labels?: ArrayLike<number>;
}

/** Uniform random split into K near-equal shares (sizes differ by at most one). */
export function partitionIid(count: number, options: IidOptions): Partition {
  const { clients, seed, labels } = options;
  requireInt('clients', clients, 1);
  requireInt('count', count, 1);
  if (count < clients) throw new DataError('INVALID_OPTION', `count must be ≥ clients (${count} < ${clients})`);
  if (labels !== undefined && labels.length !== count) {
    throw new DataError('INVALID_OPTION', `labels.length must equal count (${labels.length} ≠ ${count})`);
  }
  const order = deriveRng(seed, 'partition-iid').shuffle(Array.from({ length: count }, (_, i) => i));
  const split = Array.from({ length: clients }, (_, k) =>
    order.slice(Math.floor((k * count) / clients), Math.floor(((k + 1) * count) / clients)).sort((a, b) => a - b),
  );
  const histogram = labels === undefined ? split.map((indices) => [indices.length]) : histogramOf(split, labels, numClasses(labels));
  return { clients: split, histogram };
}
