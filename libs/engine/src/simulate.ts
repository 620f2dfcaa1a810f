import type { RunConfig } from '@fedssd/protocol';
import { createModel, type SslModel } from '@fedssd/ssl';
import { addWeights, createFedAvg, createSsdTargets, sampleClients, targetFor, type SsdTargets } from '@fedssd/fedavg';
import { partitionDirichlet } from '@fedssd/data';
import { runClientUpdate, type ImageShard } from './client-update.js';
import { evaluateModel, type EvalSets } from './evaluate.js';
import { selectImages } from './features.js';
import { modelSpecFor } from './model-spec.js';
import { methodObjective } from '@fedssd/protocol';
import type { FinalReport, LossTerms, RoundReport, SimulationReport } from './report.js';
import { deriveSeed } from './seeds.js';
import { SimulationError } from './errors.js';

/** Labelled images as the data readers return them. */
export interface LabelledSet {
  readonly name: string;
  readonly images: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
}

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
}

function shardOf(set: LabelledSet): ImageShard {
  return { images: set.images, count: set.count, shape: [set.height, set.width, set.channels] };
}

function stepsFor(count: number, batchSize: number, epochs: number): number {
  const full = Math.floor(count / batchSize);
  const rest = count % batchSize;
  return epochs * (full + (rest >= 2 ? 1 : 0));
}

function makeTargets(config: RunConfig, dim: number): SsdTargets | undefined {
  const build = (): SsdTargets => createSsdTargets({
    dim, clients: config.clients, sliceSize: config.dsr.sliceSize, scale: config.dsr.scale, seed: deriveSeed(config.seed, 'targets'),
  });
  if (methodObjective(config.method).dsr) {
    try { return build(); } catch (error) { throw new SimulationError('INVALID_CONFIG', (error as Error).message, error); }
  }
  // Other methods get the same targets for the mechanism check only; skip them where they cannot exist.
  try { return build(); } catch { return undefined; }
}

/**
 * A whole federated run in one process: K virtual clients, FedAvg of weight deltas folded in
 * client-id order, server-side evaluation every `evalEvery` rounds and a final evaluation with a
 * linear probe. Same config and seed on the same backend give the same report numbers.
 */
export async function simulateRun(config: RunConfig, data: { train: LabelledSet; test: LabelledSet }, options: SimulationOptions, hooks: SimulationHooks = {}): Promise<SimulationReport> {
  const started = Date.now();
  const train = shardOf(data.train);
  const spec = modelSpecFor(config, train.shape);
  let partition;
  try {
    partition = partitionDirichlet(data.train.labels, { clients: config.clients, alpha: config.alpha, seed: deriveSeed(config.seed, 'partition'), minPerClient: config.batchSize });
  } catch (error) {
    throw new SimulationError('INVALID_CONFIG', `${(error as Error).message} (batchSize ${config.batchSize} must fit in every client's share; lower --batch-size, raise --train-limit or --alpha)`, error);
  }
  const shards = partition.clients.map((indices) => selectImages(train, indices));
  const targets = makeTargets(config, spec.featureDim);
  const evalLimit = options.perClientEvalLimit ?? 200;
  const sets: EvalSets = {
    bank: { shard: train, labels: data.train.labels },
    test: { shard: shardOf(data.test), labels: data.test.labels },
    classes: data.train.classes,
    perClient: shards.map((s) => selectImages(s, Array.from({ length: Math.min(evalLimit, s.count) }, (_, i) => i))),
    ...(targets ? { targets: { dim: targets.dim, basisValues: targets.basis, slices: targets.slices } } : {}),
  };
  const model: SslModel = createModel(spec, deriveSeed(config.seed, 'init'));
  try {
    let global = model.getWeights();
    const modelParameters = global.reduce((n, w) => n + w.values.length, 0);
    const rounds: RoundReport[] = [];
    let final: FinalReport | undefined;
    for (let round = 1; round <= config.rounds; round += 1) {
      const roundStart = Date.now();
      const participants = sampleClients({ clients: config.clients, participation: config.participation, round, seed: deriveSeed(config.seed, 'sample') });
      const totalSteps = participants.reduce((n, id) => n + stepsFor(shards[id]?.count ?? 0, config.batchSize, config.localEpochs), 0);
      hooks.onRoundStart?.({ round, participants, totalSteps });
      const fold = createFedAvg(global);
      const loss: LossTerms = { total: 0, align: 0, uniformity: 0, dsr: 0, pd: 0 };
      let samples = 0;
      let processed = 0;
      let trainSeconds = 0;
      let stepsBefore = 0;
      for (const [clientIndex, clientId] of participants.entries()) {
        const shard = shards[clientId] as ImageShard;
        const stepsPerEpoch = stepsFor(shard.count, config.batchSize, 1);
        const update = await runClientUpdate(model, config, { round, clientId, global, shard, ...(targets ? { target: targetFor(targets, clientId) } : {}) }, {
          ...(hooks.signal ? { signal: hooks.signal } : {}),
          onProgress: (p) => hooks.onStep?.({ round, clientId, clientIndex, stepsDone: stepsBefore + (p.epoch - 1) * stepsPerEpoch + p.step, totalSteps, loss: p.loss }),
        });
        stepsBefore += update.train.steps + update.train.skippedBatches;
        fold.add(update.delta, update.samples);
        samples += update.samples;
        processed += update.train.samples;
        trainSeconds += update.train.seconds;
        for (const key of Object.keys(loss) as Array<keyof LossTerms>) loss[key] += update.train.loss[key] * update.samples;
      }
      for (const key of Object.keys(loss) as Array<keyof LossTerms>) loss[key] /= Math.max(1, samples);
      global = addWeights(global, fold.result());
      model.setWeights(global);
      const last = round === config.rounds;
      let metrics = null;
      if (last || round % config.evalEvery === 0) {
        hooks.onEvaluating?.({ round, final: last });
        const probeEpochs = options.probeEpochs ?? 100;
        metrics = await evaluateModel(model, sets, { ...(options.knnK ? { knnK: options.knnK } : {}), ...(last && probeEpochs > 0 ? { probe: { epochs: probeEpochs, seed: deriveSeed(config.seed, 'probe') } } : {}) });
        if (last) {
          final = {
            knnAccuracy: metrics.knnAccuracy, linearProbeAccuracy: metrics.linearProbeAccuracy, uniformity: metrics.uniformity,
            effectiveRank: metrics.effectiveRank, interClientUniformity: metrics.interClientUniformity, subspaceEnergy: metrics.subspaceEnergy,
          };
        }
      }
      const report: RoundReport = {
        round, durationMs: Date.now() - roundStart, participants, samples,
        samplesPerSecond: trainSeconds > 0 ? processed / trainSeconds : 0, loss,
        knnAccuracy: metrics?.knnAccuracy ?? null, uniformity: metrics?.uniformity ?? null,
        effectiveRank: metrics?.effectiveRank ?? null, interClientUniformity: metrics?.interClientUniformity ?? null,
      };
      rounds.push(report);
      hooks.onRoundEnd?.(report);
    }
    return {
      config,
      environment: { backend: options.backend, dataset: data.train.name, trainImages: train.count, testImages: data.test.count, modelParameters },
      partition: {
        kind: 'dirichlet', alpha: config.alpha,
        clients: partition.clients.map((indices, id) => ({ id, samples: indices.length, histogram: partition.histogram[id] ?? [] })),
      },
      rounds,
      final: final as FinalReport,
      durationMs: Date.now() - started,
    };
  } finally {
    model.dispose();
  }
}
