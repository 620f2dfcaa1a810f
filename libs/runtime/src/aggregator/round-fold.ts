/**
 * Fold on arrival: each accepted update is folded into the round's exact accumulator
 * (`createExactFedAvg`: integer sums, the same bytes in any order) as soon as it is accepted,
 * so the aggregator holds one accumulator per round instead of K deltas, and Redis holds a
 * fold checkpoint plus at most `checkpointEvery` update blobs instead of all K.
 *
 * Crash and takeover safety: the accumulator and the ids of the clients in it are written as one
 * blob (`foldStateKey`, fenced with the replica's token) every `checkpointEvery` folds, and only
 * after that write succeeds are the folded blobs deleted. Whoever drives the round next (the same
 * process after a restart, or another replica) loads the checkpoint and folds the accepted updates
 * not in it from their blobs, which still exist. Each client is folded at most once per
 * accumulator (the id set), so redoing any step gives the same sums. A former owner's checkpoint
 * write is refused (`FencedWriteError`) before it can delete anything.
 */
import { createExactFedAvg, type ExactFedAvg } from '@fedssd/fedavg';
import { foldStateKey, type AcceptedUpdate, type RejectedUpdate } from '@fedssd/protocol';
import { decodeWeights, type Weights } from '@fedssd/tensor';
import type { BlobStore, Fence } from '@fedssd/transport';
import { blobDigest } from './check-update.js';

interface RoundFold {
  readonly round: number;
  readonly acc: ExactFedAvg;
  /** Clients whose update is in `acc`. */
  readonly folded: Set<number>;
  /** Accepted updates that could not be folded (blob vanished or changed after validation). */
  readonly excluded: Map<number, RejectedUpdate>;
  /** Blob keys folded since the last checkpoint: deleted once a checkpoint holds them. */
  kept: string[];
}

export interface RoundFolds {
  /** The exact bytes an update was validated with: folded as they are instead of reading the blob again. */
  offer(runId: string, clientId: number, sha256: string, bytes: Uint8Array): void;
  /** Forgets an offer the machine did not accept (a duplicate, a closed round). */
  withdraw(runId: string, clientId: number): void;
  /** Folds every accepted update of the round not folded yet (checkpointing and deleting blobs as it goes). */
  topUp(runId: string, round: number, base: Weights, updates: readonly AcceptedUpdate[], fence?: Fence): Promise<void>;
  /** Tops up, then returns the mean delta (null when nothing could be folded) and the updates left out. */
  finish(
    runId: string,
    round: number,
    base: Weights,
    updates: readonly AcceptedUpdate[],
    fence?: Fence,
  ): Promise<{ mean: Weights | null; excluded: RejectedUpdate[] }>;
  /** The round is aggregated and committed (or the run is gone): drop the accumulator and the checkpoint. */
  release(runId: string, round: number): Promise<void>;
  /** Drops this process's state of a run (lost lease, run ended); the checkpoint stays for the next owner. */
  forget(runId: string): void;
  /** Rounds with an accumulator in memory (a gauge for tests and the bench). */
  readonly size: number;
}

/** Checkpoint layout: uint32 length of a JSON header `{ clients }`, the header, then the accumulator's own bytes. */
function encodeCheckpoint(fold: RoundFold): Uint8Array {
  const header = Buffer.from(JSON.stringify({ round: fold.round, clients: [...fold.folded].sort((a, b) => a - b) }));
  const sums = fold.acc.encode();
  const out = Buffer.allocUnsafe(4 + header.length + sums.length);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  out.set(sums, 4 + header.length);
  return out;
}

function decodeCheckpoint(bytes: Uint8Array, base: Weights, round: number): RoundFold {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + length).toString('utf8')) as { round: number; clients: number[] };
  if (header.round !== round) throw new Error(`fold checkpoint is for round ${header.round}, expected ${round}`);
  const acc = createExactFedAvg(base, buf.subarray(4 + length));
  if (acc.count !== header.clients.length) throw new Error(`fold checkpoint holds ${acc.count} updates but names ${header.clients.length}`);
  return { round, acc, folded: new Set(header.clients), excluded: new Map(), kept: [] };
}

/**
 * @param checkpointEvery folds between checkpoints: Redis keeps at most this many folded blobs
 * besides the checkpoint (12 bytes per parameter, 3x an fp32 update); smaller writes more often.
 */
export function createRoundFolds(deps: { blobs: BlobStore; checkpointEvery: number }): RoundFolds {
  const folds = new Map<string, RoundFold>();
  const offered = new Map<string, { sha256: string; bytes: Uint8Array }>();
  const offerKey = (runId: string, clientId: number): string => `${runId}\u0000${clientId}`;

  async function load(runId: string, round: number, base: Weights): Promise<RoundFold> {
    const current = folds.get(runId);
    if (current !== undefined && current.round === round) return current;
    const saved = await deps.blobs.getBlob(foldStateKey(runId, round));
    const fold: RoundFold =
      saved === null
        ? { round, acc: createExactFedAvg(base), folded: new Set(), excluded: new Map(), kept: [] }
        : decodeCheckpoint(saved, base, round);
    folds.set(runId, fold);
    return fold;
  }

  async function checkpoint(runId: string, fold: RoundFold, fence?: Fence): Promise<void> {
    await deps.blobs.putBlob(foldStateKey(runId, fold.round), encodeCheckpoint(fold), fence === undefined ? {} : { fence });
    // Only now are the folded blobs redundant: the checkpoint that holds them is stored.
    const kept = fold.kept;
    fold.kept = [];
    await deps.blobs.delete(kept);
  }

  async function bytesOf(runId: string, update: AcceptedUpdate): Promise<Uint8Array | RejectedUpdate> {
    const key = offerKey(runId, update.clientId);
    const hint = offered.get(key);
    offered.delete(key);
    if (hint !== undefined && hint.sha256 === update.sha256) return hint.bytes;
    const bytes = await deps.blobs.getBlob(update.updateKey);
    if (bytes === null) {
      return { clientId: update.clientId, reason: 'vanished', message: `update blob ${update.updateKey} vanished before aggregation` };
    }
    if (update.sha256 !== undefined && blobDigest(bytes) !== update.sha256) {
      return { clientId: update.clientId, reason: 'tampered', message: `update blob ${update.updateKey} changed after it was validated` };
    }
    return bytes;
  }

  async function topUp(runId: string, round: number, base: Weights, updates: readonly AcceptedUpdate[], fence?: Fence): Promise<RoundFold> {
    const fold = await load(runId, round, base);
    for (const update of updates) {
      if (fold.folded.has(update.clientId) || fold.excluded.has(update.clientId)) continue;
      const bytes = await bytesOf(runId, update);
      if (!(bytes instanceof Uint8Array)) {
        fold.excluded.set(update.clientId, bytes);
        continue;
      }
      fold.acc.add(decodeWeights(bytes, { copy: false }), update.samples);
      fold.folded.add(update.clientId);
      fold.kept.push(update.updateKey);
      if (fold.kept.length >= deps.checkpointEvery) await checkpoint(runId, fold, fence);
    }
    return fold;
  }

  return {
    offer(runId, clientId, sha256, bytes) {
      offered.set(offerKey(runId, clientId), { sha256, bytes });
    },
    withdraw(runId, clientId) {
      offered.delete(offerKey(runId, clientId));
    },
    async topUp(runId, round, base, updates, fence) {
      await topUp(runId, round, base, updates, fence);
    },
    async finish(runId, round, base, updates, fence) {
      const fold = await topUp(runId, round, base, updates, fence);
      const excluded = updates.flatMap((u) => fold.excluded.get(u.clientId) ?? []);
      return { mean: fold.acc.count > 0 ? fold.acc.result() : null, excluded };
    },
    async release(runId, round) {
      if (folds.get(runId)?.round === round) folds.delete(runId);
      await deps.blobs.delete([foldStateKey(runId, round)]);
    },
    forget(runId) {
      folds.delete(runId);
      for (const key of offered.keys()) if (key.startsWith(`${runId}\u0000`)) offered.delete(key);
    },
    get size() {
      return folds.size;
    },
  };
}
