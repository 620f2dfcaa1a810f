import type { RunConfig } from '@fedssd/protocol';
import { createModel, type SslModel } from '@fedssd/ssl';
import { addWeights, createFedAvg, sampleClients, targetFor } from '@fedssd/fedavg';
import type { Weights } from '@fedssd/tensor';
import { runClientUpdate, type ImageShard } from './client-update.js';
import { evaluateModel } from './evaluate.js';
import { evalSetsFor } from './eval-sets.js';
import { prepareRun, type LabelledSet } from './prepare.js';
import type { FinalReport, LossTerms, RoundReport, SimulationReport } from './report.js';
import { deriveSeed } from './seeds.js';

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

/** Batches a client walks through (trainLocal's `stepsPerEpoch` times epochs, skipped ones included). */
function stepsFor(count: number, batchSize: number, epochs: number): number {
  return epochs * Math.ceil(count / batchSize);
}

/** The report, and the final global model (not part of the JSON report). */
export interface SimulationResult {
  readonly report: SimulationReport;
  readonly weights: Weights;
}

/**
 * A whole federated run in one process: K virtual clients, FedAvg of weight deltas folded in
 * client-id order, server-side evaluation every `evalEvery` rounds and a final evaluation with a
 * linear probe. Same config and seed on the same backend give the same report numbers.
 */
export async function simulateRun(
  config: RunConfig,
  data: { train: LabelledSet; test: LabelledSet },
  options: SimulationOptions,
  hooks: SimulationHooks = {},
): Promise<SimulationResult> {
  const started = Date.now();
  const prepared = prepareRun(config, data.train);
  const { spec, train, partition, shards, targets } = prepared;
  const sets = evalSetsFor(config, prepared, data.train, data.test, options.perClientEvalLimit ?? 200);
  const model: SslModel = createModel(spec, deriveSeed(config.seed, 'init'));
  try {
    let global = model.getWeights();
    const modelParameters = global.reduce((n, w) => n + w.values.length, 0);
    const rounds: RoundReport[] = [];
    let final: FinalReport | undefined;
    for (let round = 1; round <= config.rounds; round += 1) {
      const roundStart = Date.now();
      const participants = sampleClients({
        clients: config.clients,
        participation: config.participation,
        round,
        seed: deriveSeed(config.seed, 'sample'),
      });
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
        const update = await runClientUpdate(
          model,
          config,
          { round, clientId, global, shard, ...(targets ? { target: targetFor(targets, clientId) } : {}) },
          {
            ...(hooks.signal ? { signal: hooks.signal } : {}),
            onProgress: (p) =>
              hooks.onStep?.({
                round,
                clientId,
                clientIndex,
                stepsDone: stepsBefore + p.epoch * p.stepsPerEpoch + p.step + 1,
                totalSteps,
                loss: p.loss,
              }),
          },
        );
        stepsBefore += stepsFor(shard.count, config.batchSize, config.localEpochs);
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
        metrics = await evaluateModel(model, sets, {
          ...(options.knnK ? { knnK: options.knnK } : {}),
          ...(last && probeEpochs > 0 ? { probe: { epochs: probeEpochs, seed: deriveSeed(config.seed, 'probe') } } : {}),
        });
        if (last) {
          final = {
            knnAccuracy: metrics.knnAccuracy,
            linearProbeAccuracy: metrics.linearProbeAccuracy,
            uniformity: metrics.uniformity,
            effectiveRank: metrics.effectiveRank,
            interClientUniformity: metrics.interClientUniformity,
            subspaceEnergy: metrics.subspaceEnergy,
          };
        }
      }
      const roundReport: RoundReport = {
        round,
        durationMs: Date.now() - roundStart,
        participants,
        samples,
        samplesPerSecond: trainSeconds > 0 ? processed / trainSeconds : 0,
        loss,
        knnAccuracy: metrics?.knnAccuracy ?? null,
        uniformity: metrics?.uniformity ?? null,
        effectiveRank: metrics?.effectiveRank ?? null,
        interClientUniformity: metrics?.interClientUniformity ?? null,
      };
      rounds.push(roundReport);
      hooks.onRoundEnd?.(roundReport);
    }
    const report: SimulationReport = {
      config,
      environment: {
        backend: options.backend,
        dataset: data.train.name,
        trainImages: train.count,
        testImages: data.test.count,
        modelParameters,
      },
      partition: {
        kind: 'dirichlet',
        alpha: config.alpha,
        clients: partition.clients.map((indices, id) => ({ id, samples: indices.length, histogram: partition.histogram[id] ?? [] })),
      },
      rounds,
      final: final as FinalReport,
      durationMs: Date.now() - started,
    };
    return { report, weights: global };
  } finally {
    model.dispose();
  }
}
