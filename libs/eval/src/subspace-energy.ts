import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { assertMatrix } from './checks.js';

/** Shares (each in [0, 1], summing to 1) of one client's embedding energy in Q coordinates. */
export interface ClientEnergy {
  /** In the client's own DSR slice. */
  own: number;
  /** In the union of the other clients' slices. */
  others: number;
  /** In coordinates no client owns. */
  rest: number;
}

export interface SubspaceEnergyResult {
  perClient: ClientEnergy[];
  summary: {
    /** Mean over clients of `own`. */
    meanOwn: number;
    /** Mean over clients of the average share held by one other client's slice (NaN with one slice). */
    meanOthersPerSlice: number;
    /** meanOwn / meanOthersPerSlice: > 1 means embeddings lean into their own slice (DSR works). */
    ratio: number;
  };
}

/**
 * DSR mechanism check: rotate each client's embeddings into the shared basis (z Q) and measure
 * which slices hold the sum of squared coordinates. Client i owns `slices[i]`; `slices` may list
 * more clients than `embeddings` (their slices count as "others").
 */
export function subspaceEnergy(opts: { embeddings: Tensor2D[]; basis: Tensor2D; slices: number[][] }): SubspaceEnergyResult {
  const { embeddings, basis, slices } = opts;
  assertMatrix('basis', basis);
  const d = basis.shape[0];
  if (basis.shape[1] !== d) throw new RangeError(`basis must be square [d, d], got [${basis.shape.join(', ')}]`);
  if (embeddings.length < 1 || slices.length < embeddings.length) {
    throw new RangeError(`need >= 1 embeddings and one slice per client, got ${embeddings.length} embeddings, ${slices.length} slices`);
  }
  const owner = new Int32Array(d).fill(-1);
  slices.forEach((slice, k) => {
    for (const index of slice) {
      if (!Number.isInteger(index) || index < 0 || index >= d) {
        throw new RangeError(`slices[${k}] entries must be integers in [0, ${d - 1}], got ${index}`);
      }
      if (owner[index] !== -1) throw new RangeError(`slices must be disjoint: index ${index} is in slices ${owner[index]} and ${k}`);
      owner[index] = k;
    }
  });

  const perClient: ClientEnergy[] = [];
  let othersPerSliceSum = 0;
  embeddings.forEach((z, k) => {
    assertMatrix(`embeddings[${k}]`, z, 0);
    if (z.shape[1] !== d) throw new RangeError(`embeddings[${k}] has d = ${z.shape[1]}, basis has d = ${d}`);
    const energyTensor = tf.tidy(() => tf.sum(tf.square(tf.matMul(z, basis)), 0));
    const energy = energyTensor.dataSync();
    energyTensor.dispose();
    const bySlice = new Float64Array(slices.length);
    let total = 0;
    let rest = 0;
    for (let j = 0; j < d; j += 1) {
      const e = energy[j] ?? 0;
      total += e;
      const o = owner[j] ?? -1;
      if (o < 0) rest += e;
      else bySlice[o] = (bySlice[o] ?? 0) + e;
    }
    const share = (x: number): number => (total > 0 ? x / total : 0);
    const own = share(bySlice[k] ?? 0);
    const otherSum = bySlice.reduce((acc, e, j) => (j === k ? acc : acc + e), 0);
    perClient.push({ own, others: share(otherSum), rest: share(rest) });
    othersPerSliceSum += slices.length > 1 ? share(otherSum) / (slices.length - 1) : NaN;
  });
  const meanOwn = perClient.reduce((acc, c) => acc + c.own, 0) / perClient.length;
  const meanOthersPerSlice = othersPerSliceSum / perClient.length;
  return { perClient, summary: { meanOwn, meanOthersPerSlice, ratio: meanOwn / meanOthersPerSlice } };
}
