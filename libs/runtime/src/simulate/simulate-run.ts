import { partitionRun, SimulationError, type DataLoader, type LabelledSet } from '@fedssd/engine';
import { MESSAGE_VERSION, modelKey, newRunRecord, type MetricsRow, type RunConfig, type RunRecord } from '@fedssd/protocol';
import { createLogger, createMetrics } from '@fedssd/telemetry';
import { decodeWeights, type Weights } from '@fedssd/tensor';
import { createInMemoryTransport, createRunRepository, type InMemoryTransport } from '@fedssd/transport';
import { createAggregator } from '../aggregator/aggregator.js';
import { createEngineEvaluator } from '../aggregator/evaluator.js';
import { createTrainer } from '../trainer/trainer.js';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { finalReportOf, roundReportOf, stepsFor } from './simulate-report.js';
import type { RoundReport, SimulationReport } from './report.js';
import { waitForRound } from './wait-for-round.js';

export interface SimulationHooks {
  readonly signal?: AbortSignal;
  onRoundStart?(info: { round: number; participants: number[]; totalSteps: number }): void;
  onStep?(info: { round: number; clientId: number; clientIndex: number; stepsDone: number; totalSteps: number; loss: number }): void;
  onEvaluating?(info: { round: number; final: boolean }): void;
  onRoundEnd?(report: RoundReport): void;
}

export interface SimulationOptions {
  /** Backend name recorded in the report. */
  readonly backend: string;
  /** Linear-probe epochs in the final evaluation; 0 skips the probe. Default 100. */
  readonly probeEpochs?: number;
  /** Images per client used for inter-client uniformity and the mechanism check; default 200. */
  readonly perClientEvalLimit?: number;
  readonly knnK?: number;
  /** Save the run after every round into this folder (see `resume`). */
  readonly checkpointDir?: string;
  /** Continue the run saved in `checkpointDir` instead of starting it (bit-identical to an uninterrupted run). */
  readonly resume?: boolean;
}

/** The report, and the final global model (not part of the JSON report). */
export interface SimulationResult {
  readonly report: SimulationReport;
  readonly weights: Weights;
}

const RUN_ID = 'simulate';
/** The longest round deadline a run config allows: in a simulation every selected client reports. */
const NO_DEADLINE_MS = 7 * 86_400_000;

/**
 * A whole federated run in one process: the services' own aggregator (the round machine and its
 * driver) and a trainer, over the in-memory transport. Rounds are started one by one, so the run
 * can be checkpointed between them. Same config and seed on the same backend give the same
 * report numbers and model bytes as the distributed services.
 */
export async function simulateRun(
  config: RunConfig,
  data: { train: LabelledSet; test: LabelledSet },
  options: SimulationOptions,
  hooks: SimulationHooks = {},
): Promise<SimulationResult> {
  const started = Date.now();
  // Throws SimulationError for a config the data cannot satisfy, before any service starts.
  const partitioned = partitionRun(config, data.train);
  const transport = createInMemoryTransport();
  const runs = createRunRepository(transport.state, transport.blobs);
  let elapsedBefore = 0;
  if (options.resume === true) {
    if (options.checkpointDir === undefined) throw new CheckpointError('resuming needs a checkpoint folder');
    const meta = await loadCheckpoint(options.checkpointDir, transport);
    assertSameConfig(meta.config, config, options.checkpointDir);
    elapsedBefore = meta.elapsedMs;
  }
  const logger = createLogger({ service: 'simulate', level: 'silent' });
  const metrics = createMetrics({ defaultMetrics: false });
  const loadData: DataLoader = async (_config, split) => (split === 'train' ? data.train : data.test);
  const progress = { round: 0, participants: [] as number[], totalSteps: 0, before: new Map<number, number>() };
  const aggregator = createAggregator({
    bus: transport.bus,
    jobs: transport.jobs,
    runs,
    blobs: transport.blobs,
    logger,
    metrics,
    loadData,
    evaluate: createEngineEvaluator({
      perClientEvalLimit: options.perClientEvalLimit ?? 200,
      probeEpochs: options.probeEpochs ?? 100,
      ...(options.knnK !== undefined ? { knnK: options.knnK } : {}),
      ...(hooks.onEvaluating ? { onEvaluating: hooks.onEvaluating } : {}),
    }),
    options: { perClientEvalLimit: options.perClientEvalLimit ?? 200, evalTestLimit: data.test.count },
  });
  const trainer = createTrainer({
    jobs: transport.jobs,
    bus: transport.bus,
    runs,
    blobs: transport.blobs,
    logger,
    metrics,
    loadData,
    workerId: 'simulate',
    onProgress: (p) => {
      const stepsDone = (progress.before.get(p.clientId) ?? 0) + p.epoch * p.stepsPerEpoch + p.step + 1;
      const clientIndex = progress.participants.indexOf(p.clientId);
      hooks.onStep?.({ round: p.round, clientId: p.clientId, clientIndex, stepsDone, totalSteps: progress.totalSteps, loss: p.loss });
    },
  });
  const opened = await transport.bus.subscribe('events', async (m) => {
    if (m.type !== 'round.opened') return;
    let before = 0;
    progress.before.clear();
    for (const id of m.selectedClients) {
      progress.before.set(id, before);
      before += stepsFor(partitioned.shards[id]?.count ?? 0, config.batchSize, config.localEpochs);
    }
    Object.assign(progress, { round: m.round, participants: [...m.selectedClients], totalSteps: before });
    hooks.onRoundStart?.({ round: m.round, participants: [...m.selectedClients], totalSteps: before });
  });
  const rounds: RoundReport[] = [];
  try {
    await trainer.start();
    await aggregator.start();
    if (options.resume !== true) await startRun(transport, config, aggregator.handle);
    let run = await requireRun(runs.getRun(RUN_ID));
    for (const row of await runs.listMetrics(RUN_ID)) rounds.push(roundReportOf(row, row.durationMs));
    for (let round = run.currentRound + 1; round <= config.rounds && run.status === 'running'; round += 1) {
      // Between rounds is where an interrupted run stops: the last checkpoint is a whole round.
      hooks.signal?.throwIfAborted();
      const roundStart = Date.now();
      const closed = waitForRound(transport, RUN_ID, round, hooks.signal);
      await aggregator.handle({ type: 'round.start', version: MESSAGE_VERSION, runId: RUN_ID, round });
      const row: MetricsRow = await closed.promise;
      const report = roundReportOf(row, Date.now() - roundStart);
      rounds.push(report);
      hooks.onRoundEnd?.(report);
      run = await requireRun(runs.getRun(RUN_ID));
      await pruneModels(transport, run);
      if (options.checkpointDir !== undefined) {
        await saveCheckpoint(options.checkpointDir, transport, {
          runId: RUN_ID,
          config,
          roundsDone: round,
          elapsedMs: elapsedBefore + Date.now() - started,
        });
      }
    }
    if (run.status !== 'finished') throw new Error(`simulation ended with the run ${run.status}${run.error ? `: ${run.error}` : ''}`);
    const bytes = await runs.getModel(RUN_ID, run.globalVersion);
    if (bytes === null) throw new Error(`final model v${run.globalVersion} is missing`);
    const weights = decodeWeights(bytes);
    const last = await runs.getRound(RUN_ID, run.currentRound);
    const report: SimulationReport = {
      config,
      environment: {
        backend: options.backend,
        dataset: data.train.name,
        trainImages: partitioned.train.count,
        testImages: data.test.count,
        modelParameters: weights.reduce((n, w) => n + w.values.length, 0),
      },
      partition: {
        kind: 'dirichlet',
        alpha: config.alpha,
        clients: partitioned.partition.clients.map((indices, id) => ({
          id,
          samples: indices.length,
          histogram: partitioned.partition.histogram[id] ?? [],
        })),
      },
      rounds,
      final: finalReportOf(last?.metrics),
      durationMs: elapsedBefore + Date.now() - started,
    };
    return { report, weights };
  } finally {
    await opened.cancel();
    await trainer.close();
    await aggregator.close();
  }
}

/** Creates the run record and sends `run.start`; a config the data cannot satisfy surfaces as SimulationError. */
async function startRun(transport: InMemoryTransport, config: RunConfig, handle: ReturnType<typeof createAggregator>['handle']) {
  const at = new Date().toISOString();
  // Rounds are started by this loop (so it can checkpoint between them) and never time out.
  const internal: RunConfig = { ...config, autoAdvance: false, roundDeadlineMs: NO_DEADLINE_MS, minClients: undefined };
  const runs = createRunRepository(transport.state, transport.blobs);
  await runs.createRun(newRunRecord(RUN_ID, internal, at));
  await handle({ type: 'run.start', version: MESSAGE_VERSION, runId: RUN_ID, config: internal });
  const run = await requireRun(runs.getRun(RUN_ID));
  if (run.status === 'failed') throw new SimulationError('INVALID_CONFIG', run.error ?? 'the run could not be prepared');
}

async function requireRun(pending: Promise<RunRecord | null>): Promise<RunRecord> {
  const run = await pending;
  if (run === null) throw new Error(`simulation state lost the run record ${RUN_ID}`);
  return run;
}

/** Only the current global model is needed from here on: drop older versions so memory stays O(model). */
async function pruneModels(transport: InMemoryTransport, run: RunRecord): Promise<void> {
  const old = Array.from({ length: run.globalVersion }, (_, v) => modelKey(RUN_ID, v));
  if (old.length > 0) await transport.blobs.delete(old);
}

/** A resumed run must be the run the user asks for: name every field that differs. */
function assertSameConfig(saved: RunConfig, wanted: RunConfig, dir: string): void {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(wanted)])].sort() as Array<keyof RunConfig>;
  const diff = keys.filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(wanted[k]));
  if (diff.length > 0) {
    const lines = diff.map((k) => `  ${String(k)}: checkpoint ${JSON.stringify(saved[k])}, now ${JSON.stringify(wanted[k])}`);
    throw new CheckpointError(`the checkpoint in ${dir} is of a different run:\n${lines.join('\n')}`);
  }
}
