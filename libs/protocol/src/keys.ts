/**
 * Redis key builders. Every key of a run shares the hash tag `{runId}`, so a run's keys live in
 * one Redis Cluster slot and multi-key transactions over them stay legal. Keys carry the run,
 * model version, round and client they belong to.
 */

/** Namespace of every key this project writes. */
export const KEY_NAMESPACE = 'fedssd';

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkRunId(runId: string): string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw new RangeError(`runId must be 1-64 characters of [A-Za-z0-9_-] (got ${JSON.stringify(runId)})`);
  }
  return runId;
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer between ${min} and ${max} (got ${String(value)})`);
  }
  return value;
}

const run = (runId: string) => `${KEY_NAMESPACE}:run:{${checkRunId(runId)}}`;

/** Run record: config and run-level state (JSON). */
export function runKey(runId: string): string {
  return run(runId);
}

/** Global model blob of a version (0 = initial model). */
export function modelKey(runId: string, version: number): string {
  return `${run(runId)}:model:v${checkInt('version', version, 0, 10_000)}`;
}

/** State of one round (JSON: selected clients, accepted updates, deadline, ...). */
export function roundKey(runId: string, round: number): string {
  return `${run(runId)}:round:${checkInt('round', round, 1, 10_000)}`;
}

/** Update blob of one client in one round; written with NX so a redelivered job cannot overwrite it. */
export function updateKey(runId: string, round: number, clientId: number): string {
  return `${roundKey(runId, round)}:update:${checkInt('clientId', clientId, 0, 999)}`;
}

/**
 * The aggregator's exact fold of a round so far (sums and the client ids in them), written
 * fenced every few accepted updates so the folded blobs can be deleted and a new owner resumes.
 */
export function foldStateKey(runId: string, round: number): string {
  return `${roundKey(runId, round)}:fold`;
}

/** The run's SSD targets (basis, slices, scale), created once per run. */
export function targetsKey(runId: string): string {
  return `${run(runId)}:targets`;
}

/** The model spec (kind, input shape, feature width) the run's global models were built with (JSON), stored with model v0. */
export function specKey(runId: string): string {
  return `${run(runId)}:spec`;
}

/** Per-round metrics history (a list of JSON rows). */
export function metricsKey(runId: string): string {
  return `${run(runId)}:metrics`;
}

/**
 * The run's events (a Redis stream, capped with `XADD MAXLEN ~`): what the api replays to a client
 * that resumes with `Last-Event-ID`. Written by the aggregator only; entry ids are the SSE ids.
 */
export function eventsKey(runId: string): string {
  return `${run(runId)}:events`;
}

/**
 * The run's lease: which aggregator replica owns the run (JSON `{ owner, token }`, with a TTL the
 * owner keeps renewing). Absent when no replica owns it.
 */
export function leaseKey(runId: string): string {
  return `${run(runId)}:lease`;
}

/**
 * The run's fencing counter: incremented (INCR) by every lease acquisition and never reset, so
 * a former owner's token is always smaller than the current one. Every aggregator write of the
 * run's state and models is refused unless the writer's token equals it.
 */
export function fenceKey(runId: string): string {
  return `${run(runId)}:fence`;
}

/** Messages for the run that reached a replica which does not own it (a list, oldest first); its owner drains it. */
export function inboxKey(runId: string): string {
  return `${run(runId)}:inbox`;
}

/** Set of the runs an aggregator may still have to drive (added when a replica takes a run, removed when it ends). */
export function activeRunsKey(): string {
  return `${KEY_NAMESPACE}:runs:active`;
}

/** Set of every run id. */
export function runsIndexKey(): string {
  return `${KEY_NAMESPACE}:runs`;
}
