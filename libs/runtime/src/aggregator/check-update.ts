import { createHash } from 'node:crypto';
import { validateUpdate, type RejectReason } from '@fedssd/fedavg';
import { updateKey, type RoundRecord, type UpdateReady } from '@fedssd/protocol';
import { decodeWeights, type Weights } from '@fedssd/tensor';
import type { BlobStore } from '@fedssd/transport';
import type { RunContext } from './run-context.js';

/**
 * Every label of `fedssd_updates_rejected_total{reason}`: the round machine's checks (including
 * 'failed-client', an update from a client whose job the broker already dead-lettered), the content
 * checks here, validateUpdate's own, 'malformed' (dead-lettered by the transport) and the two
 * fold-time refusals. The aggregator exports each at 0 from start-up so dashboards and
 * `increase()` see a series before the first rejection.
 */
export const UPDATE_REJECT_REASONS = [
  'unknown-run',
  'stale',
  'closed-round',
  'unselected',
  'duplicate',
  'failed-client',
  'wrong-key',
  'bad-samples',
  'corrupt',
  'malformed',
  'tampered',
  'vanished',
  ...(['missing-tensor', 'unexpected-tensor', 'shape-mismatch', 'non-finite', 'norm-exceeded'] as const satisfies readonly RejectReason[]),
] as const;
export type UpdateRejectReason = (typeof UPDATE_REJECT_REASONS)[number];

export type ContentVerdict =
  | { readonly ok: true; readonly sha256: string; readonly bytes: number }
  | { readonly ok: false; readonly reason: UpdateRejectReason; readonly message: string };

/** SHA-256 of a blob, hex: what the aggregator pins at acceptance and checks again at fold time. */
export function blobDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The content checks of an update that passed the round machine's checks: the key is the one
 * its (run, round, client) must use, the sample count is the client's, the blob exists and
 * decodes, and its tensors match the round's base model (names, shapes, finite values, optional
 * L2 bound). Returns the digest of exactly the bytes validated.
 */
export async function checkUpdateContent(
  blobs: BlobStore,
  context: RunContext,
  round: RoundRecord,
  msg: UpdateReady,
): Promise<ContentVerdict> {
  const no = (reason: UpdateRejectReason, message: string): ContentVerdict => ({ ok: false, reason, message });
  const expectedKey = updateKey(msg.runId, msg.round, msg.clientId);
  if (msg.updateKey !== expectedKey) return no('wrong-key', `update key must be ${expectedKey}`);
  const expectedSamples = context.prepared.shards[msg.clientId]?.count;
  if (msg.samples !== expectedSamples) {
    return no('bad-samples', `client ${msg.clientId} holds ${String(expectedSamples)} samples, update claims ${msg.samples}`);
  }
  const bytes = await blobs.getBlob(expectedKey);
  if (bytes === null) return no('corrupt', `no update blob at ${expectedKey}`);
  let delta: Weights;
  try {
    delta = decodeWeights(bytes, { copy: false });
  } catch (error) {
    return no('corrupt', `update blob does not decode: ${(error as Error).message}`);
  }
  const maxL2Norm = context.config.maxUpdateL2Norm;
  const verdict = validateUpdate(await context.global(round.baseVersion), delta, maxL2Norm === undefined ? {} : { maxL2Norm });
  if (!verdict.ok) return no(verdict.reason, verdict.message);
  return { ok: true, sha256: blobDigest(bytes), bytes: bytes.length };
}
