import { createHash } from 'node:crypto';
import { assertExactRange, EXACT_MAX_SAMPLES, validateUpdate, type RejectReason } from '@fedssd/fedavg';
import { siteUpdateKey, updateKey, WIRE_PRECISIONS, type RoundRecord, type UpdateReady } from '@fedssd/protocol';
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
  | { readonly ok: true; readonly sha256: string; readonly bytes: number; readonly samples: number; readonly blob: Uint8Array }
  | { readonly ok: false; readonly reason: UpdateRejectReason; readonly message: string };

/** SHA-256 of a blob, hex: what the aggregator pins at acceptance and checks again at fold time. */
export function blobDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Where an update's sample count comes from: simulation mode knows each client's shard; a
 * federated site declares its count, capped at what it declared at enrolment.
 */
export type SampleRule = { readonly kind: 'exact'; readonly samples: number | undefined } | { readonly kind: 'cap'; readonly max: number };

/**
 * The content checks of an update that passed the round machine's checks: the key is the one
 * its (run, round, client) — or in federated mode its site — must use, the sample count follows
 * the rule, the blob exists and decodes, and its tensors match the round's base model (names,
 * shapes, finite values, optional L2 bound). Returns the digest of exactly the bytes validated
 * and the FedAvg weight to use.
 */
export async function checkUpdateContent(
  blobs: BlobStore,
  context: RunContext,
  round: RoundRecord,
  msg: UpdateReady,
  from: { readonly site?: string; readonly samples: SampleRule },
): Promise<ContentVerdict> {
  const no = (reason: UpdateRejectReason, message: string): ContentVerdict => ({ ok: false, reason, message });
  const expectedKey =
    from.site === undefined ? updateKey(msg.runId, msg.round, msg.clientId) : siteUpdateKey(msg.runId, from.site, msg.round);
  if (msg.updateKey !== expectedKey) return no('wrong-key', `update key must be ${expectedKey}`);
  let samples = msg.samples;
  if (from.samples.kind === 'exact' && msg.samples !== from.samples.samples) {
    return no('bad-samples', `client ${msg.clientId} holds ${String(from.samples.samples)} samples, update claims ${msg.samples}`);
  }
  if (from.samples.kind === 'cap') {
    if (msg.samples < 1) return no('bad-samples', `an update must come from at least 1 sample (got ${msg.samples})`);
    samples = Math.min(msg.samples, from.samples.max);
  }
  if (samples > EXACT_MAX_SAMPLES) return no('bad-samples', `an update may weigh at most ${EXACT_MAX_SAMPLES} samples (got ${samples})`);
  const bytes = await blobs.getBlob(expectedKey);
  if (bytes === null) return no('corrupt', `no update blob at ${expectedKey}`);
  const precision = context.config.wirePrecision ?? 'fp32';
  const dtype = WIRE_PRECISIONS[bytes[6] ?? 255];
  if (dtype !== undefined && dtype !== precision) {
    return no('corrupt', `update is encoded as ${dtype}; run ${msg.runId} takes ${precision} (wirePrecision)`);
  }
  let delta: Weights;
  try {
    delta = decodeWeights(bytes, { copy: false });
  } catch (error) {
    return no('corrupt', `update blob does not decode: ${(error as Error).message}`);
  }
  const maxL2Norm = context.config.maxUpdateL2Norm;
  const verdict = validateUpdate(await context.global(round.baseVersion), delta, maxL2Norm === undefined ? {} : { maxL2Norm });
  if (!verdict.ok) return no(verdict.reason, verdict.message);
  try {
    // The exact fold's range (round-fold.ts): refused here, not at fold time, so a round never fails on it.
    assertExactRange(delta, samples);
  } catch (error) {
    return no('norm-exceeded', (error as Error).message);
  }
  return { ok: true, sha256: blobDigest(bytes), bytes: bytes.length, samples, blob: bytes };
}
