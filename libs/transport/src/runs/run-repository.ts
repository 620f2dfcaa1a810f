import {
  MessageSchema,
  modelKey,
  roundKey,
  runKey,
  runsIndexKey,
  specKey,
  targetsKey,
  type Message,
  type MessageInput,
  type MetricsRow,
  type RoundRecord,
  type RunRecord,
  type StoredModelSpec,
} from '@fedssd/protocol';
import type { BlobStore, Fence, StateStore } from '../ports.js';

/**
 * Run state over the blob and state ports: what the api reads and the aggregator writes.
 * Keys come from @fedssd/protocol, so every service agrees on where things live.
 */
export interface RunRepository {
  createRun(record: RunRecord): Promise<boolean>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(): Promise<RunRecord[]>;
  /**
   * Atomic read-modify-write; `patch` may run more than once and must be pure. Returning undefined
   * leaves the record unwritten and resolves to it as read. A write increments `seq`, so a
   * round-machine transition computed from the old record cannot overwrite it. Throws when the
   * run does not exist.
   */
  updateRun(runId: string, patch: (run: RunRecord) => RunRecord | undefined): Promise<RunRecord>;
  /**
   * Persists one round-machine transition atomically: the run record (its `seq` set to
   * `expectedSeq + 1`), the round records and the metrics row, only if the stored run still has
   * `seq === expectedSeq`. Returns the stored run, or null when another writer got there first.
   * With `fence` (aggregator replicas), also only while that token is the run's: a stale one
   * throws `FencedWriteError`.
   */
  commit(expectedSeq: number, writes: TransitionWrites, fence?: Fence): Promise<RunRecord | null>;
  getRound(runId: string, round: number): Promise<RoundRecord | null>;
  putRound(record: RoundRecord): Promise<void>;
  /** Atomic read-modify-write of a round; returning undefined leaves it unchanged. */
  updateRound(runId: string, round: number, patch: (round: RoundRecord) => RoundRecord | undefined): Promise<RoundRecord | null>;
  appendMetrics(runId: string, row: MetricsRow): Promise<void>;
  listMetrics(runId: string): Promise<MetricsRow[]>;
  /** Stores a global model; with `fence`, only while that token is the run's (else `FencedWriteError`). */
  putModel(runId: string, version: number, bytes: Uint8Array, fence?: Fence): Promise<void>;
  getModel(runId: string, version: number): Promise<Uint8Array | null>;
  putTargets(runId: string, bytes: Uint8Array, fence?: Fence): Promise<void>;
  getTargets(runId: string): Promise<Uint8Array | null>;
  /** Stores the model spec the run's models are built with (written with model v0, never changed). */
  putSpec(runId: string, spec: StoredModelSpec, fence?: Fence): Promise<void>;
  /** The stored model spec as written (unvalidated JSON), or null for a run stored before specs were. */
  getSpec(runId: string): Promise<StoredModelSpec | null>;
  /**
   * Appends a run event to the run's capped event log (see `eventsKey`); a redone effect's event
   * (same type and round among the newest entries) is not appended twice. Resolves to the entry
   * id, or null for such a repeat. With `fence`, only while that token is the run's.
   */
  appendEvent(message: MessageInput, fence?: Fence): Promise<string | null>;
  /** Up to `count` events of the run after entry `after` (from the oldest kept when undefined), oldest first. */
  readEvents(runId: string, after: string | undefined, count: number): Promise<RunEvent[]>;
  ping(): Promise<void>;
}

/** One entry of a run's event log: the stream id (the SSE id) and the event. */
export interface RunEvent {
  readonly id: string;
  readonly message: Message;
}

/**
 * Events kept per run. A run emits about three per round (opened, closed, evaluated), so this
 * keeps the whole history of runs up to ~1300 rounds; `MAXLEN ~` trims in whole macro nodes, so
 * Redis may keep somewhat more.
 */
export const EVENTS_MAX_LEN = 4096;

/** What one transition of the round machine writes. */
export interface TransitionWrites {
  readonly run: RunRecord;
  readonly rounds: readonly RoundRecord[];
  readonly metricsRow?: MetricsRow;
}

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} does not exist`);
    this.name = 'RunNotFoundError';
  }
}

export function createRunRepository(state: StateStore, blobs: BlobStore): RunRepository {
  return {
    async createRun(record) {
      const written = await state.setJson(runKey(record.runId), record, { nx: true });
      if (written) await state.addToSet(runsIndexKey(), record.runId);
      return written;
    },
    getRun: (runId) => state.getJson<RunRecord>(runKey(runId)),
    async listRuns() {
      const ids = (await state.listSet(runsIndexKey())).sort();
      const runs = await Promise.all(ids.map((id) => state.getJson<RunRecord>(runKey(id))));
      return runs.filter((r): r is RunRecord => r !== null).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async updateRun(runId, patch) {
      const next = await state.updateJson<RunRecord>(runKey(runId), (current) => {
        if (current === null) return undefined;
        const patched = patch(current);
        return patched === undefined ? undefined : { ...patched, seq: (current.seq ?? 0) + 1 };
      });
      if (next === null) throw new RunNotFoundError(runId);
      return next;
    },
    async commit(expectedSeq, writes, fence) {
      const { runId } = writes.run;
      const run: RunRecord = { ...writes.run, seq: expectedSeq + 1 };
      const ok = await state.commitGuarded(
        { key: runKey(runId), seq: expectedSeq },
        [{ key: runKey(runId), value: run }, ...writes.rounds.map((r) => ({ key: roundKey(runId, r.round), value: r }))],
        writes.metricsRow === undefined ? undefined : { runId, row: writes.metricsRow },
        fence,
      );
      return ok ? run : null;
    },
    getRound: (runId, round) => state.getJson<RoundRecord>(roundKey(runId, round)),
    async putRound(record) {
      await state.setJson(roundKey(record.runId, record.round), record);
    },
    updateRound: (runId, round, patch) =>
      state.updateJson<RoundRecord>(roundKey(runId, round), (current) => (current === null ? undefined : patch(current))),
    appendMetrics: (runId, row) => state.appendMetrics(runId, row),
    listMetrics: (runId) => state.listMetrics<MetricsRow>(runId),
    async putModel(runId, version, bytes, fence) {
      await blobs.putBlob(modelKey(runId, version), bytes, fence === undefined ? {} : { fence });
    },
    getModel: (runId, version) => blobs.getBlob(modelKey(runId, version)),
    async putTargets(runId, bytes, fence) {
      await blobs.putBlob(targetsKey(runId), bytes, fence === undefined ? {} : { fence });
    },
    getTargets: (runId) => blobs.getBlob(targetsKey(runId)),
    async putSpec(runId, spec, fence) {
      await state.setJson(specKey(runId), spec, fence === undefined ? {} : { fence });
    },
    getSpec: (runId) => state.getJson<StoredModelSpec>(specKey(runId)),
    appendEvent(input, fence) {
      // Parsed as the bus parses what it publishes, so the log holds the same message with defaults filled in.
      const message = MessageSchema.parse(input);
      const round = 'round' in message && message.round !== undefined ? String(message.round) : '-';
      return state.appendEvent(message.runId, `${message.type}:${round}`, JSON.stringify(message), {
        maxLen: EVENTS_MAX_LEN,
        ...(fence === undefined ? {} : { fence }),
      });
    },
    async readEvents(runId, after, count) {
      const entries = await state.readEvents(runId, after, count);
      // Entries are written by the aggregator only, but parse them anyway: a bad one is reported with its id.
      return entries.map((e) => {
        const parsed = MessageSchema.safeParse(JSON.parse(e.text));
        if (!parsed.success) throw new Error(`run ${runId}: event ${e.id} is not a valid message: ${parsed.error.message}`);
        return { id: e.id, message: parsed.data };
      });
    },
    ping: () => state.ping(),
  };
}
