import type { Message, MessageInput, MetricsRow, RoundRecord, RunConfig, RunRecord } from '@fedssd/protocol';

/**
 * What the api needs from the outside world, and nothing more. The run repository of
 * @fedssd/transport and its event bus satisfy these structurally; tests pass in-memory fakes.
 */

/** Run state the api reads; the api writes only new runs and the `stopping` status. */
export interface RunStore {
  /** Resolves false (or nothing) when the id already exists. */
  createRun(record: RunRecord): Promise<boolean | void>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(): Promise<RunRecord[]>;
  /** Atomic read-modify-write; `patch` may run more than once and must be pure. */
  updateRun(runId: string, patch: (run: RunRecord) => RunRecord): Promise<RunRecord>;
  getRound(runId: string, round: number): Promise<RoundRecord | null>;
  listMetrics(runId: string): Promise<MetricsRow[]>;
  getModel(runId: string, version: number): Promise<Uint8Array | null>;
}

export interface BusSubscription {
  cancel(): Promise<void>;
}

/** Commands go out on `publish`; round and run events come in on the `events` fanout. */
export interface CommandBus {
  publish(message: MessageInput): Promise<void>;
  subscribe(channel: 'events', handler: (message: Message) => Promise<void>): Promise<BusSubscription>;
}

/** A TensorFlow.js model artifact: `model.json` contents and the concatenated weight bytes. */
export interface ExportedModel {
  modelJson: Record<string, unknown>;
  weightData: Uint8Array;
}

/** Turns a stored global model blob into a TensorFlow.js encoder; absent until @fedssd/ssl exports `exportEncoder`. */
export type ModelExporter = (config: RunConfig, modelBytes: Uint8Array) => Promise<ExportedModel> | ExportedModel;

/** Resolves when a dependency answers; throws (with a short reason) when it does not. */
export type ReadinessCheck = () => Promise<void>;
