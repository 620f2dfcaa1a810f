import type { SiteDirectory as TransportSiteDirectory } from '@fedssd/transport';
import type { Message, MessageInput, MetricsRow, RoundRecord, RunRecord, SiteRecord, StoredModelSpec } from '@fedssd/protocol';

/**
 * What the api needs from the outside world, and nothing more. The run repository of
 * @fedssd/transport and its event bus satisfy these structurally; tests pass in-memory fakes.
 */

/** Run state the api reads; the api writes only new runs, the `stopping` status and `requestedRound`. */
export interface RunStore {
  /** Resolves false (or nothing) when the id already exists. */
  createRun(record: RunRecord): Promise<boolean | void>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(): Promise<RunRecord[]>;
  /**
   * Atomic read-modify-write; `patch` may run more than once and must be pure; returning undefined
   * writes nothing. The api writes `stopping` and `requestedRound` this way.
   */
  updateRun(runId: string, patch: (run: RunRecord) => RunRecord | undefined): Promise<RunRecord>;
  getRound(runId: string, round: number): Promise<RoundRecord | null>;
  listMetrics(runId: string): Promise<MetricsRow[]>;
  getModel(runId: string, version: number): Promise<Uint8Array | null>;
  /** The model spec stored with model v0; null for runs stored before specs were. */
  getSpec(runId: string): Promise<StoredModelSpec | null>;
  /** Up to `count` events of the run's log after entry `after` (from the oldest kept when undefined), oldest first. */
  readEvents(runId: string, after: string | undefined, count: number): Promise<Array<{ id: string; message: Message }>>;
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
  /** A layers-model `model.json` (other TensorFlow.js fields such as `generatedBy` pass through). */
  modelJson: {
    format: string;
    modelTopology: Record<string, unknown>;
    weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
    [field: string]: unknown;
  };
  /** The weights of every manifest group, concatenated in manifest order. */
  weightData: Uint8Array;
}

/** Turns a stored global model blob, built to `spec`, into a TensorFlow.js encoder. */
export type ModelExporter = (spec: StoredModelSpec, modelBytes: Uint8Array) => Promise<ExportedModel> | ExportedModel;

/** Resolves when a dependency answers; throws (with a short reason) when it does not. */
export type ReadinessCheck = () => Promise<void>;

/**
 * The site registry and liveness as the api reads them (its own Redis user may read
 * `fedssd:sites` and `fedssd:site:*`, nothing of the admin's): the read half of
 * @fedssd/transport's `createSiteDirectory`; records that fail their schema are reported, not dropped.
 */
export type SiteDirectory = Pick<TransportSiteDirectory, 'listSites' | 'getSite' | 'getLiveness'>;

/** A site's credentials bundle, handed out once at enrolment. */
export interface SiteBundle {
  /** `KEY=value` lines for a plain process. */
  envFile: string;
  /** A Kubernetes `v1/Secret` manifest for `k8s/overlays/site`. */
  secretYaml: string;
}

/**
 * Enrolment and revocation with admin credentials (`@fedssd/federation`). Failures are
 * `FederationError`s, whose codes the admin routes turn into 400/404/409/503.
 */
export interface SiteAdmin {
  provisionSite(input: { name: string; declaredSamples: number }): Promise<{ record: SiteRecord; bundle: SiteBundle }>;
  listSites(): Promise<SiteRecord[]>;
  revokeSite(name: string): Promise<{ record: SiteRecord; rabbitConnectionsClosed: number; redisConnectionsKilled: number }>;
}
