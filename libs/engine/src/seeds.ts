import { deriveRng } from '@fedssd/tensor';

/**
 * A uint32 seed derived from the run seed and a path of labels, e.g. ('train', round, clientId).
 * Every random choice of a run hangs off one root seed through these paths, so a client's local
 * training is the same whichever process or worker runs it.
 */
export function deriveSeed(seed: number, ...labels: Array<string | number>): number {
  return deriveRng(seed, ...labels).int(0x1_0000_0000) >>> 0;
}
